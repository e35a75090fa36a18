# SPDX-License-Identifier: GPL-2.0
#
# hvgdb - drive hvgdb.ko from gdb
#
#  kernel symbols: the address of a name in gdb's symbol files (a vmlinux,
#  or the kallsyms ELF of hvgdb-syms, docs/symbols.md), cached until the
#  symbol files change

import gdb

_cache = {}


def _forget(event=None):
    _cache.clear()


gdb.events.new_objfile.connect(_forget)
gdb.events.free_objfile.connect(_forget)
gdb.events.clear_objfiles.connect(_forget)


def _full_symbol(name):
    """The address of a function or variable with debug information."""
    for look in (gdb.lookup_global_symbol, gdb.lookup_static_symbol):
        try:
            sym = look(name)
            if sym is not None and (sym.is_function or sym.is_variable):
                return int(sym.value().address)
        except (gdb.error, TypeError, ValueError):
            pass
    return None


def address(name):
    """The address of the symbol name, or None when gdb knows no such
    symbol.  Debug information first; then the ELF symbol table (minimal
    symbols: all that hvgdb-syms gives), through `&'name'` so that names
    such as `helper.cold` work."""
    if name in _cache:
        return _cache[name]
    addr = _full_symbol(name)
    if addr is None and "'" not in name:
        try:
            addr = int(gdb.parse_and_eval("&'%s'" % name))
        except gdb.error:
            addr = None
    _cache[name] = addr
    return addr
