// Which of OpenBLAS's kernels run, chosen before any product is computed.
//
// Debian 12's OpenBLAS (0.3.21, built for every x86 CPU at once) names the CPU when it is
// loaded and picks its kernels by that name. It does not know AMD Zen 4 and treats it as
// Haswell, so on a Zen 4 machine (AVX-512) it runs its AVX2 kernels: measured here, sgemm
// 512³ at 123 instead of 236 GFLOP/s on one core, and a U-Net training epoch at 41 instead
// of 32 ms (OpenBLAS's SkylakeX kernels also have a small-matrix path, which the
// coursework's 10×10 convolutions use). OpenBLAS's documented switch is the environment
// variable OPENBLAS_CORETYPE, read only when the library is loaded, so a program that wants
// the right kernels sets it and starts itself again (execv keeps the process id, the
// arguments and everything else).
//
// When it starts again it also sets OPENBLAS_NUM_THREADS=1 (unless set): convgrad never runs
// OpenBLAS on more than one thread (see blas.h), and without it the library starts a worker
// thread per core at load time that spins for about 0.1 s next to the program's own threads.
//
// A variable the user has set is never changed: OPENBLAS_CORETYPE=Haswell keeps the AVX2
// kernels (some machines set it for all their programs: then nothing happens here).
#pragma once

namespace convgrad {

// The kernels OpenBLAS uses now, as it names them ("Haswell", "SkylakeX", ...).
const char* blas_core_name();

// Call first thing in main(): when OPENBLAS_CORETYPE is unset, OpenBLAS chose AVX2 kernels and
// the CPU has AVX-512, sets it to SKYLAKEX and re-executes /proc/self/exe with argv. Returns
// normally when nothing needs to change, or when the re-execution fails (the program then
// runs on as it is).
void use_best_blas_kernels(char** argv);

}  // namespace convgrad
