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
// It also starts itself again when OPENBLAS_NUM_THREADS is not 1, with it set to 1: convgrad
// never runs OpenBLAS on more than one thread (see blas.h), but OpenBLAS starts a worker
// thread per core when it is loaded, and openblas_set_num_threads(1) does not stop them. They
// spin on sched_yield whenever they are woken, next to the program's own threads: measured on
// the 2-core machine, a 2-thread autoencoder epoch took 3.4 ms at best but 6.5 ms in the
// median with them, 3.5 ms without (its two halves of a batch ended ~50 µs apart instead of 1).
//
// OPENBLAS_CORETYPE set by the user is never changed: OPENBLAS_CORETYPE=Haswell keeps the AVX2
// kernels (some machines set it for all their programs).
#pragma once

namespace convgrad {

// The kernels OpenBLAS uses now, as it names them ("Haswell", "SkylakeX", ...).
const char* blas_core_name();

// Call first thing in main(): sets OPENBLAS_NUM_THREADS=1 when it is not 1 and, when
// OPENBLAS_CORETYPE is unset, OpenBLAS chose AVX2 kernels and the CPU has AVX-512,
// OPENBLAS_CORETYPE=SKYLAKEX; then, if either changed, re-executes /proc/self/exe with argv
// (once: the second start finds both as wanted). Returns normally when nothing needs to
// change, or when the re-execution fails (the program then runs on as it is).
void use_best_blas_kernels(char** argv);

}  // namespace convgrad
