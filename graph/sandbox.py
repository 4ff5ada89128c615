"""No network in a query worker: an audit hook for Python code, a seccomp filter for everything else.

A query worker needs a file (its copy of the graph) and its pipe to the server, never the network. The
engine does its own HTTP in Rust for SERVICE and LOAD (pyoxigraph ships with an HTTP client), which no
Python audit hook sees, so `forbid_network` installs two layers, for the rest of the process's life:

- a `sys.addaudithook` hook that refuses, from Python code, creating any socket but a Unix one, connecting
  or sending to anything but a Unix socket, and every name look-up (`socket.getaddrinfo`, ...);
- on Linux (x86-64, arm64), a seccomp filter, applied to every thread, under which the kernel answers
  `socket()` of any family but AF_UNIX, and `io_uring_setup`, with EPERM, whoever calls them.

Neither can be removed once installed. Imports the standard library only.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import platform
import socket
import sys
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("thoracic_kg.sandbox")

#: Audit events that resolve or reveal names: refused outright (a worker has no use for them).
_LOOKUPS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
                      "socket.getservbyname", "socket.getservbyport", "socket.sethostname"})
#: Audit events whose first argument is the socket used: allowed on a Unix socket only.
_ON_SOCKET = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"})

#: (AUDIT_ARCH_*, socket, io_uring_setup, seccomp) syscall numbers by machine.
_ARCHES = {"x86_64": (0xC000003E, 41, 425, 317), "aarch64": (0xC00000B7, 198, 425, 277)}
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JGE_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x06
_SECCOMP_RET_ALLOW, _SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
_PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 38, 1, 1
_X32_SYSCALL_BIT = 0x40000000


class NetworkRefused(PermissionError):
    """A query worker tried to reach the network."""


@dataclass(frozen=True)
class Confinement:
    """Which layers a worker runs under: the audit hook always; the kernel filter where the platform has one."""

    audit_hook: bool
    seccomp: bool
    detail: str = ""


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not event.startswith("socket."):
        return
    if event in _LOOKUPS:
        raise NetworkRefused(f"{event} refused: query workers have no network")
    if event == "socket.__new__":
        if (args[1] if len(args) > 1 else None) != socket.AF_UNIX:
            raise NetworkRefused(f"creating a socket of family {args[1:2]} refused: query workers have no network")
    elif event in _ON_SOCKET and args and getattr(args[0], "family", None) != socket.AF_UNIX:
        raise NetworkRefused(f"{event} refused: query workers have no network")


def _filter_program(arch: int, nr_socket: int, nr_io_uring_setup: int) -> list[tuple[int, int, int, int]]:
    """The classic-BPF program: EPERM for socket(family != AF_UNIX), io_uring_setup, x32 and foreign-ABI calls."""
    deny = _SECCOMP_RET_ERRNO | errno.EPERM
    return [
        (_BPF_LD_W_ABS, 0, 0, 4),                      # 0: A = seccomp_data.arch
        (_BPF_JEQ_K, 1, 0, arch),                      # 1: native ABI? go on at 3
        (_BPF_RET_K, 0, 0, deny),                      # 2: a foreign ABI (i386 on x86-64, say): refused
        (_BPF_LD_W_ABS, 0, 0, 0),                      # 3: A = seccomp_data.nr
        (_BPF_JGE_K, 0, 1, _X32_SYSCALL_BIT),          # 4: an x32 syscall?
        (_BPF_RET_K, 0, 0, deny),                      # 5:   refused
        (_BPF_JEQ_K, 0, 1, nr_io_uring_setup),         # 6: io_uring can open sockets without socket()
        (_BPF_RET_K, 0, 0, deny),                      # 7:   refused
        (_BPF_JEQ_K, 0, 3, nr_socket),                 # 8: socket()? else allow (at 12)
        (_BPF_LD_W_ABS, 0, 0, 16),                     # 9: A = low 32 bits of args[0], the family (an int)
        (_BPF_JEQ_K, 1, 0, socket.AF_UNIX),            # 10: AF_UNIX: allow (at 12)
        (_BPF_RET_K, 0, 0, deny),                      # 11: any other family: refused
        (_BPF_RET_K, 0, 0, _SECCOMP_RET_ALLOW),        # 12
    ]


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _install_seccomp() -> str:
    """Install the kernel filter on every thread of this process; an empty string on success, else why not."""
    numbers = _ARCHES.get(platform.machine()) if sys.platform == "linux" else None
    if numbers is None:
        return f"no seccomp filter for {sys.platform}/{platform.machine()}"
    arch, nr_socket, nr_io_uring_setup, nr_seccomp = numbers
    program = _filter_program(arch, nr_socket, nr_io_uring_setup)
    filters = (_SockFilter * len(program))(*(_SockFilter(*instruction) for instruction in program))
    fprog = _SockFprog(len(program), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog)) != 0:
        return f"seccomp(SECCOMP_SET_MODE_FILTER) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return ""


def forbid_network() -> Confinement:
    """Cut this process off the network for good (call it first thing in a worker process, never in the server).

    Example (in a throw-away process, since nothing undoes it):
        >>> import subprocess, sys
        >>> code = ("import socket; from graph.sandbox import forbid_network; c = forbid_network(); "
        ...         "print(c.audit_hook, end=' ')\\ntry: socket.getaddrinfo('localhost', 80)\\n"
        ...         "except PermissionError: print('refused')")
        >>> subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
        'True refused\\n'
    """
    sys.addaudithook(_audit)
    why_not = _install_seccomp()
    if why_not:
        log.warning("query worker without a kernel network filter (%s): the audit hook and the query guard remain",
                    why_not)
    return Confinement(audit_hook=True, seccomp=not why_not, detail=why_not)


__all__ = ["Confinement", "NetworkRefused", "forbid_network"]
