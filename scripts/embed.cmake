# Turn a data file into a C source that defines it as a NUL-terminated byte
# array, so a library carries its data (feeds/lexicon.txt) without a path to
# find at run time. Usage (from a custom command):
#   cmake -DIN=file -DOUT=file.c -DNAME=symbol -P scripts/embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n  " body "${body}")
file(WRITE "${OUT}.tmp"
     "/* Generated from ${IN} by scripts/embed.cmake: do not edit. */\n"
     "#include <stddef.h>\n"
     "const unsigned char ${NAME}[] = {\n  ${body}0x00};\n"
     "const size_t ${NAME}_len = ${bytes};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
