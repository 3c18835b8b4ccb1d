// EMBER_HD marks math that both the CPU loops and the CUDA kernels instantiate:
// __host__ __device__ under nvcc, nothing for the host compiler.
#pragma once

#if defined(__CUDACC__)
#define EMBER_HD __host__ __device__
#else
#define EMBER_HD
#endif
