#!/usr/bin/env python3
"""Generate a partner-json feed with N synthetic Dutch offerings (default
100000) and a feed registry pointing at it, for the HTTP load test.
Usage: gen_offerings.py OUTDIR [N] [VARIANT]
VARIANT changes every description, so indexing it again is a real reindex
(all records changed), not a no-op."""
import json, random, sys, os

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
variant = int(sys.argv[3]) if len(sys.argv) > 3 else 0
tax = json.load(open(os.path.join(os.path.dirname(__file__), "../../feeds/taxonomy.json")))
rnd = random.Random(42)

needs = [c["code"] for p in tax["needs"] for c in p.get("children", [])]
groups = [g["code"] for g in tax["target_groups"]]
munis = [m["code"] for m in tax["municipalities"][:4]] + ["hbel", "bel", "regio", "landelijk"]
access = [a["code"] for a in tax["access"]]
costs = [c["code"] for c in tax["costs"]]
words = ("hulp advies ondersteuning gesprek inloop spreekuur begeleiding cursus training groep "
         "vrijwilligers buurt wijk thuis geld schulden administratie werk opleiding taal lezen "
         "schrijven computer digitaal ouders kinderen jongeren ouderen mantelzorg eenzaam ontmoeting "
         "koffie maaltijd vervoer rolstoel dementie geheugen sport bewegen gezond wonen huur "
         "verhuizen veilig geweld zorgen psychisch somber stress verslaving scheiding opvoeding "
         "school zwanger baby inburgering nieuwkomers juridisch formulieren toeslagen uitkering").split()
places = ["Huizen", "Blaricum", "Eemnes", "Laren", "Hilversum", "Bussum"]
kinds = ["Inloop", "Spreekuur", "Cursus", "Hulp", "Advies", "Groep", "Training", "Maatje", "Café", "Punt"]

n_orgs = max(1, n // 25)
orgs = [{"key": f"org-{i}", "name": f"Organisatie {rnd.choice(words).title()} {places[i % 6]} {i}",
         "description": "Een organisatie in de regio."} for i in range(n_orgs)]
services = []
for i in range(n):
    w = rnd.sample(words, 12)
    nd = rnd.sample(needs, rnd.choice([1, 1, 2]))
    services.append({
        "key": f"s-{i}",
        "organization": f"org-{i % n_orgs}",
        "name": f"{rnd.choice(kinds)} {w[0]} {w[1]} {places[i % 6]}",
        "summary": f"{w[2].title()} en {w[3]} voor wie dat nodig heeft.",
        "description": " ".join(w[4:]) + f". Versie {variant}. Bel of loop binnen.",
        "keywords": w[8:10],
        "needs": nd,
        "target_groups": rnd.sample(groups, rnd.choice([0, 1, 2])),
        "areas": [rnd.choice(munis)],
        "access": rnd.choice(access),
        "cost": rnd.choice(costs),
        "assured_date": "2026-%02d-%02d" % (rnd.randint(1, 10), rnd.randint(1, 28)),
    })
# A feed may be at most 50 MB (ix_fetch): more than 100 000 offerings go in
# shards of 100 000, one feed each (load.json, load-2.json, ...), every shard
# with all organisations (each feed keeps its own).
SHARD = 100000
os.makedirs(out, exist_ok=True)
feeds = []
for j in range(0, max(1, (n + SHARD - 1) // SHARD)):
    fid = "load" if j == 0 else f"load-{j + 1}"
    doc = {"format": "sociale-kaart-partner/1", "organizations": orgs, "locations": [],
           "services": services[j * SHARD:(j + 1) * SHARD]}
    with open(os.path.join(out, fid + ".json"), "w") as f:
        json.dump(doc, f, ensure_ascii=False)
    feeds.append({"id": fid, "partner": "Load test (synthetic)", "kind": "partner-json",
                  "location": fid + ".json", "enabled": True})
with open(os.path.join(out, "feeds.json"), "w") as f:
    json.dump({"feeds": feeds}, f)
print(f"{n} offerings, {n_orgs} organisations -> {out}/feeds.json ({len(feeds)} feed(s))")
