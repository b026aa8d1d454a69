# The Couchbase simulator, exercised through the production Couchbase client and raw HTTP.
if(TARGET swarmop_sim_couchbase)
  add_executable(couchbase_sim_test
    sim/couchbase/cb_api_test.cpp
    sim/couchbase/cb_topology_test.cpp
    sim/couchbase/cb_availability_test.cpp
    sim/couchbase/cb_data_move_test.cpp)
  target_link_libraries(couchbase_sim_test PRIVATE swarmop_test_main swarmop_sim_couchbase
                        swarmop_clients PkgConfig::HTTPLIB)
  target_include_directories(couchbase_sim_test PRIVATE sim/couchbase)
  swarmop_target_defaults(couchbase_sim_test)
  catch_discover_tests(couchbase_sim_test TEST_PREFIX "couchbase/" PROPERTIES LABELS sim)
endif()
