// Compiled for baseline x86-64 (see core/CMakeLists.txt) so that it can run on any CPU and
// refuse cleanly, before any AVX2 instruction, when the build targets x86-64-v3.
#include <cstdio>
#include <unistd.h>

namespace salient::detail {

bool cpuSupportsBuild()
{
#if defined(SALIENT_NATIVE_X86_64_V3) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")
           && __builtin_cpu_supports("bmi2");
#else
    return true;
#endif
}

namespace {
// Priority 101 runs before every default-priority constructor of the program.
__attribute__((constructor(101))) void checkCpu()
{
    if (!cpuSupportsBuild()) {
        static const char msg[] =
            "Salient: this build needs an x86-64-v3 CPU (AVX2, FMA, BMI2). Rebuild with "
            "-DSALIENT_NATIVE=OFF -DSALIENT_USE_BLAS=ON for older processors.\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(70);
    }
}
} // namespace

} // namespace salient::detail
