# x86 instruction length decoder: tests, fuzzer, benchmark.
# (insn_len.c itself is in libmonitor.a with every monitor-cmds/*.c.)
