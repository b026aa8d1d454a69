# Target-scoped build settings: every target of the project calls swarmop_target_defaults().
option(SWARMOP_WERROR "Treat compiler warnings as errors" OFF)
option(SWARMOP_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# libFuzzer build (scripts/fuzz.sh, docs/fuzzing.md): clang only; every library is instrumented
# for coverage, ASan and UBSan, and only the libraries the fuzz/ targets need are configured.
option(SWARMOP_FUZZ "Build only the libFuzzer targets in fuzz/ (clang)" OFF)
if(SWARMOP_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SWARMOP_FUZZ needs clang (libFuzzer): configure with CXX=clang++")
endif()

function(swarmop_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         $<$<BOOL:${SWARMOP_WERROR}>:-Werror>)
  if(SWARMOP_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
  if(SWARMOP_FUZZ)
    # Coverage for libFuzzer plus ASan and UBSan, every UB report fatal so that the fuzzer
    # keeps it as a crash. The fuzz targets link -fsanitize=fuzzer (fuzz/CMakeLists.txt).
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address,undefined
                           -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
