#include "textflag.h"

// STEP takes the sample in both halves of X12 through the two filters
// whose feedback is in C and whose last two states are in A and B:
// the new state is C*A - (B - X12), as in goertzelGo; A becomes it and B
// the old A.
#define STEP(A, B, C) \
	SUBPD  X12, B  \
	MOVAPD A, X13  \
	MULPD  C, X13  \
	SUBPD  B, X13  \
	MOVAPD A, B    \
	MOVAPD X13, A

// func goertzel(x *[40]int16, c *[8]float64, s *[16]float64)
TEXT ·goertzel(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ c+8(FP), DI
	MOVQ s+16(FP), DX
	MOVUPD 0(DI), X8
	MOVUPD 16(DI), X9
	MOVUPD 32(DI), X10
	MOVUPD 48(DI), X11
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3
	XORPD X4, X4
	XORPD X5, X5
	XORPD X6, X6
	XORPD X7, X7
	MOVQ $40, CX

loop:
	MOVWQSX (SI), AX
	CVTSQ2SD AX, X12
	UNPCKLPD X12, X12
	STEP(X0, X4, X8)
	STEP(X1, X5, X9)
	STEP(X2, X6, X10)
	STEP(X3, X7, X11)
	ADDQ $2, SI
	DECQ CX
	JNZ loop

	MOVUPD X0, 0(DX)
	MOVUPD X1, 16(DX)
	MOVUPD X2, 32(DX)
	MOVUPD X3, 48(DX)
	MOVUPD X4, 64(DX)
	MOVUPD X5, 80(DX)
	MOVUPD X6, 96(DX)
	MOVUPD X7, 112(DX)
	RET
