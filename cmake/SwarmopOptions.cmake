# Target-scoped build settings: every target of the project calls swarmop_target_defaults().
option(SWARMOP_WERROR "Treat compiler warnings as errors" OFF)
option(SWARMOP_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

function(swarmop_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         $<$<BOOL:${SWARMOP_WERROR}>:-Werror>)
  if(SWARMOP_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()
