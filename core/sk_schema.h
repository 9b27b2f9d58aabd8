#ifndef SK_SCHEMA_H
#define SK_SCHEMA_H
/*
 * The store's schema as forward migrations. sk_schema_migrations[i] takes a
 * database from user_version i to i + 1. Append new migrations; never edit
 * one that has shipped.
 */
#define SK_SCHEMA_VERSION 10
extern const char *const sk_schema_migrations[SK_SCHEMA_VERSION];

#endif
