# ASan + UBSan for every target when SALIENT_SANITIZE is ON (see docs/robustness.md).
if(SALIENT_SANITIZE)
  target_compile_options(salient_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(salient_options INTERFACE -fsanitize=address,undefined)
endif()
