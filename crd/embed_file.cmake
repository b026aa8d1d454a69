# Writes a C++ source file that holds INPUT verbatim as a raw string literal, so the binary
# carries the exact schema file that editors and ajv read. Run with cmake -P.
file(READ "${INPUT}" content)
file(WRITE "${OUTPUT}" "// Generated from ${INPUT} by crd/embed_file.cmake. Do not edit.\n")
file(APPEND "${OUTPUT}" "#include <string_view>\nnamespace swarmop::model::detail {\n")
file(APPEND "${OUTPUT}" "extern const std::string_view ${SYMBOL};\n")
file(APPEND "${OUTPUT}" "const std::string_view ${SYMBOL} = R\"swarmop_embedded(")
file(APPEND "${OUTPUT}" "${content}")
file(APPEND "${OUTPUT}" ")swarmop_embedded\";\n}  // namespace swarmop::model::detail\n")
