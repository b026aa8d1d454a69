# Plan reports for CI (issue #9): the three formats against golden files, exit codes, the
# snapshot round trip, diff, and that no secret reaches any output. Golden files live in
# tests/report/golden; `UPDATE_GOLDEN=1 ctest -R report/` rewrites them.
swarmop_add_test(report_test
  SOURCES report/plan_cli_test.cpp report/renderers_test.cpp report/secrets_test.cpp
  LIBS swarmop_cli swarmop_sim swarmop_sim_couchbase swarmop_sim_rabbitmq swarmop_clients)
target_include_directories(report_test PRIVATE ${PROJECT_SOURCE_DIR}/controller/src)

# The json outputs (the golden files, which report_test keeps equal to what plan prints) and a
# snapshot from the simulator, checked against the published schemas with ajv.
add_test(NAME report/json_schema
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/report/check-schemas.sh
                 $<TARGET_FILE:swarm-operator>
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(report/json_schema PROPERTIES LABELS schema)
