# Robustness builds (docs/robustness.md), applied to the salient_options INTERFACE target that
# every Salient target links (salient_core links it PUBLIC, so ui, app and every test get it
# transitively; tst_gui_smoke links it directly).
#
# SALIENT_SANITIZE (GCC or clang): AddressSanitizer + UndefinedBehaviorSanitizer everywhere.
#   UB is fatal (-fno-sanitize-recover) so that a UBSan report fails the test that caused it.
#   Optimisation stays as the build type sets it (RelWithDebInfo: -O2; .ci/sanitize.sh asks for
#   -g1 line tables) — ASan is meant to run on optimised code, and -O0 would make the numeric
#   tests several times slower.
# SALIENT_FUZZ (clang only): the same sanitizers plus libFuzzer's coverage instrumentation
#   (-fsanitize=fuzzer-no-link) for every library; fuzz/ links its targets with -fsanitize=fuzzer.
if(SALIENT_SANITIZE OR SALIENT_FUZZ)
  set(_salient_san_compile -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -fno-optimize-sibling-calls)
  set(_salient_san_link -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  if(SALIENT_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      message(FATAL_ERROR "SALIENT_FUZZ needs clang (libFuzzer): CC=clang CXX=clang++ cmake ...")
    endif()
    list(APPEND _salient_san_compile -fsanitize=fuzzer-no-link)
    # Defines FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, the usual libFuzzer convention.
    target_compile_definitions(salient_options INTERFACE FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    # ProjectOptions.cmake passes GCC-only warning spellings (-Wshadow=local): not an error here.
    target_compile_options(salient_options INTERFACE -Wno-unknown-warning-option)
  endif()
  target_compile_options(salient_options INTERFACE ${_salient_san_compile})
  target_link_options(salient_options INTERFACE ${_salient_san_link})
  unset(_salient_san_compile)
  unset(_salient_san_link)
endif()
