# End-to-end tests of the swarm-operator binary: against the real harness swarm (issue #6), and
# watch mode against the simulator (issue #8).
# Included at the end of tests/CMakeLists.txt; shares the real_swarm fixture (swarm-up.sh 5) and
# its lock with the Docker contract tests, and leaves the swarm as it found it.
if(SWARMOP_REAL_SERVER_TESTS AND SWARMOP_DOCKERD AND swarmop_uid STREQUAL "0")
  if(NOT swarm_env)  # normally set by the real swarm block of tests/CMakeLists.txt
    set(swarm_env SWARMOP_SWARM_BASE=${CMAKE_CURRENT_BINARY_DIR}/real-swarm
                  SWARMOP_SWARM_HEARTBEAT=2s)
  endif()
  # real_swarm_e2e(NAME TIMEOUT LABELS [VAR=VALUE...]): tests/e2e/NAME.sh against the harness
  # swarm, with the harness's environment and any extra variables given.
  function(real_swarm_e2e name timeout labels)
    add_test(NAME e2e/${name}
             COMMAND ${CMAKE_COMMAND} -E env ${swarm_env} ${ARGN}
                     ${CMAKE_CURRENT_SOURCE_DIR}/e2e/${name}.sh $<TARGET_FILE:swarm-operator>)
    set_tests_properties(e2e/${name} PROPERTIES LABELS "${labels}" FIXTURES_REQUIRED real_swarm
                         RESOURCE_LOCK real_swarm TIMEOUT ${timeout})
  endfunction()
  # Bare swarm -> "3+ nodes with separate workers", a second apply without writes, then a
  # crashed and restarted master whose gui task the operator moves back. About 2-4 minutes.
  real_swarm_e2e(apply_real_swarm 600 real)
  # watch mode: a file edit followed, a crashed worker reported from its Down event, SIGTERM.
  real_swarm_e2e(watch_real_swarm 400 real)
  # The controller as a container: image from the binary, `docker stack deploy` of
  # manifests/swarm-operator.stack.yml, a change followed, its node crashed, the lease passed.
  real_swarm_e2e(container_real_swarm 600 real)
  # The fault matrix's real rows (#11), each in the middle of the bare -> workers journey with
  # quorum sampled throughout: apply SIGKILLed, a worker crashed, the leader crashed, a manager
  # cut off and healed, a manager crashed. About 10 minutes.
  real_swarm_e2e(faults_real_swarm 1800 "real;faults"
                 "FAULT_ROWS=operator-killed worker-crashed leader-crashed manager-partitioned manager-crashed")
  # Its two-controllers row on its own: two `watch` controllers, the lease holder SIGKILLed
  # after three steps, the other takes the lease and finishes; never a step of both at once.
  add_test(NAME e2e/two_controllers_real_swarm
           COMMAND ${CMAKE_COMMAND} -E env ${swarm_env} FAULT_ROWS=two-controllers
                   ${CMAKE_CURRENT_SOURCE_DIR}/e2e/faults_real_swarm.sh
                   $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/two_controllers_real_swarm PROPERTIES LABELS "real;faults"
                       FIXTURES_REQUIRED real_swarm RESOURCE_LOCK real_swarm TIMEOUT 900)
  # manifests/Dockerfile read by Docker's own parser (a real engine), and what it must say.
  add_test(NAME e2e/dockerfile_check
           COMMAND ${CMAKE_COMMAND} -E env ${swarm_env}
                   ${CMAKE_CURRENT_SOURCE_DIR}/e2e/dockerfile_check.sh $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/dockerfile_check PROPERTIES LABELS real
                       FIXTURES_REQUIRED real_swarm TIMEOUT 120)
endif()

# `swarm-operator watch` as a process against `swarm-operator sim` (no root, no real server):
# its HTTP endpoints, the file followed through a rename and SIGHUP, SIGTERM's exit code.
find_program(SWARMOP_JQ jq)
find_program(SWARMOP_CURL curl)
# `swarm-operator demo`, the README's main job: converged, a node crashed and healed.
add_test(NAME e2e/demo COMMAND $<TARGET_FILE:swarm-operator> demo
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(e2e/demo PROPERTIES LABELS sim TIMEOUT 240)
if(SWARMOP_JQ AND SWARMOP_CURL)
  add_test(NAME e2e/watch_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/watch_cli.sh
                                      $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/watch_cli PROPERTIES LABELS sim TIMEOUT 120)
  # apply on a file that would move the data stores off their data: exit 2, the reasons, the
  # data stores in place.
  add_test(NAME e2e/data_safety_cli COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/data_safety_cli.sh
                                            $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/data_safety_cli PROPERTIES LABELS sim TIMEOUT 300)
  # One writer across apply and watch: two applies, apply with --wait-for-lease, apply beside
  # a watch controller, a killed holder taken over (#22). About 60 s.
  add_test(NAME e2e/one_writer COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/one_writer.sh
                                       $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/one_writer PROPERTIES LABELS sim TIMEOUT 300)
  # watch stopped by SIGTERM while the Docker API hangs: exit 0 soon after --shutdown-grace.
  add_test(NAME e2e/watch_shutdown COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/watch_shutdown.sh
                                           $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/watch_shutdown PROPERTIES LABELS sim TIMEOUT 120)
  # `apply --timeout 3s` against a hanging Engine API ends within 3 + 3 s with exit 1 (#22).
  add_test(NAME e2e/apply_timeout COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/apply_timeout.sh
                                          $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/apply_timeout PROPERTIES LABELS sim TIMEOUT 120)
  # apply stopped by SIGTERM, then SIGINT, mid-step: the step finished, a summary, 143 and 130,
  # and the swarm holding exactly the steps reported done. About 15 s.
  add_test(NAME e2e/apply_signal COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/apply_signal.sh
                                         $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/apply_signal PROPERTIES LABELS sim TIMEOUT 120)
  # Two controllers at debug level through injected faults and a file change: converged, the
  # one without the lease writes nothing, no secret in any log or endpoint, exit 0 (and, in the
  # sanitizer build, no leak) on SIGTERM. About 45 s.
  add_test(NAME e2e/watch_faults_secrets
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/e2e/watch_faults_secrets.sh
                   $<TARGET_FILE:swarm-operator>)
  set_tests_properties(e2e/watch_faults_secrets PROPERTIES LABELS "sim;faults" TIMEOUT 400)
else()
  message(STATUS "e2e/watch_cli off: it needs jq and curl")
endif()
