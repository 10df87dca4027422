# Two INTERFACE targets every Salient target links: options (defines, codegen) and warnings.
add_library(salient_options INTERFACE)
target_compile_definitions(salient_options INTERFACE
  QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
  SALIENT_VERSION="${PROJECT_VERSION}")
if(SALIENT_USE_BLAS)
  # Eigen then calls sgemm/sgemv of OpenBLAS for large float products; OpenBLAS picks its
  # kernel (Haswell/SkylakeX/Zen) at run time, so one portable binary gets AVX2/FMA speed.
  target_compile_definitions(salient_options INTERFACE EIGEN_USE_BLAS SALIENT_HAVE_OPENBLAS)
  target_link_libraries(salient_options INTERFACE ${SALIENT_OPENBLAS})
endif()
if(SALIENT_NATIVE)
  target_compile_options(salient_options INTERFACE -march=x86-64-v3)
  target_compile_definitions(salient_options INTERFACE SALIENT_NATIVE_X86_64_V3)
endif()
# Eigen's GEMM threads through OpenMP (threads set by salient::setComputeThreads).
target_link_libraries(salient_options INTERFACE OpenMP::OpenMP_CXX)

add_library(salient_warnings INTERFACE)
target_compile_options(salient_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local
  -Wnon-virtual-dtor -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference)
if(SALIENT_WARNINGS_AS_ERRORS)
  target_compile_options(salient_warnings INTERFACE -Werror)
endif()

# Sanitizer build (SALIENT_SANITIZE): flags for every target, set in cmake/Sanitizers.cmake.
include(${CMAKE_CURRENT_LIST_DIR}/Sanitizers.cmake)
