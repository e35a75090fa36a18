/* SPDX-License-Identifier: GPL-2.0 */
/*
 * entry.S - the two places where control crosses VMX root and non-root.
 *
 * hv_vmx_launch: VMLAUNCH with the caller's own stack and a resume address
 * inside this function as the guest's RSP/RIP, so on success the kernel
 * continues, now as a guest, by returning 0 from this call; 1 means
 * VMLAUNCH failed (VM-instruction error in the VMCS).  VM entry loads only
 * RSP, RIP and RFLAGS from the VMCS, the other GPRs carry over unchanged
 * (SDM Vol. 3 27.3.2), so the callee-saved registers are simply kept.
 *
 * hv_vmx_exit_stub: HOST_RIP.  Saves the guest GPRs as a struct hv_regs
 * on the per-CPU host stack, calls hv_exit_handler(), then VMRESUMEs, or,
 * when the handler has left VMX operation (HV_LEAVE), returns to the guest
 * natively through the [rflags, rip] pair the handler put on the guest's
 * stack; hv_regs.rip then holds that stack address.
 *
 * hv_root_nmi_entry: gate 2 of root's own IDT (host_idt.c), without an IST
 * stack, so the frame is on the root stack (SDM Vol. 3A 6.14.2: aligned to
 * 16, then SS, RSP, RFLAGS, CS, RIP).  Saves the registers a C call may
 * clobber, calls hv_root_nmi(), and returns by IRET, which unblocks NMIs
 * (SDM Vol. 3A 6.7.1).
 */
#include <linux/linkage.h>
#include <asm/ibt.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#define VMCS_GUEST_RSP	0x681c
#define VMCS_GUEST_RIP	0x681e

.macro HV_SAVE_GPRS
	sub	$16, %rsp		/* hv_regs.rip, hv_regs.rflags */
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%r11
	push	%r10
	push	%r9
	push	%r8
	push	%rdi
	push	%rsi
	push	%rbp
	sub	$8, %rsp		/* hv_regs.gpr[RSP], from the VMCS */
	push	%rbx
	push	%rdx
	push	%rcx
	push	%rax
.endm

.macro HV_LOAD_GPRS
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rbx
	add	$8, %rsp
	pop	%rbp
	pop	%rsi
	pop	%rdi
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
.endm

	.text
SYM_FUNC_START(hv_vmx_launch)
	push	%rbp
	mov	%rsp, %rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	$VMCS_GUEST_RSP, %eax
	vmwrite	%rsp, %rax
	lea	.Lhv_guest_start(%rip), %rdx
	mov	$VMCS_GUEST_RIP, %eax
	vmwrite	%rdx, %rax
	vmlaunch
	mov	$1, %eax		/* VMfailValid / VMfailInvalid */
	jmp	.Lhv_launch_out
.Lhv_guest_start:
	xor	%eax, %eax		/* now in VMX non-root */
.Lhv_launch_out:
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(hv_vmx_launch)

SYM_CODE_START(hv_vmx_exit_stub)
	HV_SAVE_GPRS
	mov	%rsp, %rdi
	call	hv_exit_handler
	test	%eax, %eax
	jnz	.Lhv_leave
	HV_LOAD_GPRS
	add	$16, %rsp
	vmresume
	/* VMRESUME failed: the guest GPRs are still live; save them again. */
	HV_SAVE_GPRS
	mov	%rsp, %rdi
	call	hv_resume_failed
	test	%eax, %eax
	jnz	.Lhv_leave
.Lhv_park:
	pause
	jmp	.Lhv_park
.Lhv_leave:
	HV_LOAD_GPRS
	mov	(%rsp), %rsp		/* guest stack: [rflags, rip] */
	popfq
	RET
SYM_CODE_END(hv_vmx_exit_stub)

SYM_CODE_START(hv_root_nmi_entry)
	UNWIND_HINT_IRET_REGS
	ENDBR
	cld
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11			/* 40 + 72 bytes: aligned for the call */
	call	hv_root_nmi
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
SYM_CODE_END(hv_root_nmi_entry)
