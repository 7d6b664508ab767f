#!/usr/bin/env python3
"""Where the agent's NativeAOT binary goes: code + data by assembly and by namespace, and the ELF sections.

Publish with the ILC statistics first (the .mstat is written next to the object file):

    dotnet publish agent/HaAgent.Agent -c Release -r linux-x64 -p:IlcGenerateMstatFile=true
    python3 scripts/agent-size-report.py                      # defaults to the paths of that publish
    python3 scripts/agent-size-report.py --compare OLD.mstat  # what changed since an earlier publish (by assembly/namespace)
    python3 scripts/agent-size-report.py --top 60 --types 30  # longer namespace list, the 30 biggest types
    python3 scripts/agent-size-report.py --sum 'Http2|HPack'  # what a feature's types cost together

Why is something in the binary? Publish with -p:IlcGenerateDgmlFile=true (writes haagent-agent.scan.dgml.xml, ~180 MB)
and ask for the dependency chain from the program's roots to the first nodes whose name matches:

    python3 scripts/agent-size-report.py --why 'TypeDescriptor__GetConverter'

The .mstat is a small ECMA-335 assembly written by ILC: its global methods "Methods", "Types" and "Blobs" are IL
sequences of `ldtoken <method|type>` followed by sizes (code, GC info, EH info / type data), and `ldstr <name>` with
the size of each other blob. This script reads it with the standard library only (no .NET tooling needed).

What the columns mean:
  code   machine code of the methods (section __managedcode), plus their GC info and EH info (.dotnet_eh_table).
         Unwind info (.eh_frame, .eh_frame_hdr) is not in the .mstat: it grows with the code, about a quarter of it.
  types  MethodTables (EETypes). Since .NET 8 these are stored compressed ("dehydrated", __dehydrated_data in
         .rodata) and expanded at start into the .hydrated section: anonymous memory, written once, resident for
         the life of the process. So a type costs file bytes AND about twice its dehydrated size in anon RSS.
Generic instantiations are counted under their generic definition's assembly/namespace, arrays under their element.
"""

import argparse
import collections
import os
import re
import struct
import sys

DEFAULT_MSTAT = "agent/HaAgent.Agent/obj/Release/net10.0/linux-x64/native/haagent-agent.mstat"
DEFAULT_BINARY = "agent/HaAgent.Agent/bin/Release/net10.0/linux-x64/publish/haagent-agent"
DEFAULT_DGML = "agent/HaAgent.Agent/obj/Release/net10.0/linux-x64/native/haagent-agent.scan.dgml.xml"

# ECMA-335 II.22 tables: column kinds are u1/u2/u4, str/guid/blob heap indexes, ("t", table) and coded indexes.
TABLES = {
    0x00: ["u2", "str", "guid", "guid", "guid"],  # Module
    0x01: ["ResolutionScope", "str", "str"],  # TypeRef
    0x02: ["u4", "str", "str", "TypeDefOrRef", ("t", 0x04), ("t", 0x06)],  # TypeDef
    0x03: [("t", 0x04)],  # FieldPtr
    0x04: ["u2", "str", "blob"],  # Field
    0x05: [("t", 0x06)],  # MethodPtr
    0x06: ["u4", "u2", "u2", "str", "blob", ("t", 0x08)],  # MethodDef
    0x07: [("t", 0x08)],  # ParamPtr
    0x08: ["u2", "u2", "str"],  # Param
    0x09: [("t", 0x02), "TypeDefOrRef"],  # InterfaceImpl
    0x0A: ["MemberRefParent", "str", "blob"],  # MemberRef
    0x0B: ["u2", "HasConstant", "blob"],  # Constant
    0x0C: ["HasCustomAttribute", "CustomAttributeType", "blob"],  # CustomAttribute
    0x0D: ["HasFieldMarshal", "blob"],  # FieldMarshal
    0x0E: ["u2", "HasDeclSecurity", "blob"],  # DeclSecurity
    0x0F: ["u2", "u4", ("t", 0x02)],  # ClassLayout
    0x10: ["u4", ("t", 0x04)],  # FieldLayout
    0x11: ["blob"],  # StandAloneSig
    0x12: [("t", 0x02), ("t", 0x14)],  # EventMap
    0x13: [("t", 0x14)],  # EventPtr
    0x14: ["u2", "str", "TypeDefOrRef"],  # Event
    0x15: [("t", 0x02), ("t", 0x17)],  # PropertyMap
    0x16: [("t", 0x17)],  # PropertyPtr
    0x17: ["u2", "str", "blob"],  # Property
    0x18: ["u2", ("t", 0x06), "HasSemantics"],  # MethodSemantics
    0x19: [("t", 0x02), "MethodDefOrRef", "MethodDefOrRef"],  # MethodImpl
    0x1A: ["str"],  # ModuleRef
    0x1B: ["blob"],  # TypeSpec
    0x1C: ["u2", "MemberForwarded", "str", ("t", 0x1A)],  # ImplMap
    0x1D: ["u4", ("t", 0x04)],  # FieldRVA
    0x1E: ["u4", "u4"],  # EncLog
    0x1F: ["u4"],  # EncMap
    0x20: ["u4", "u2", "u2", "u2", "u2", "u4", "blob", "str", "str"],  # Assembly
    0x21: ["u4"],  # AssemblyProcessor
    0x22: ["u4", "u4", "u4"],  # AssemblyOS
    0x23: ["u2", "u2", "u2", "u2", "u4", "blob", "str", "str", "blob"],  # AssemblyRef
    0x24: ["u4", ("t", 0x23)],  # AssemblyRefProcessor
    0x25: ["u4", "u4", "u4", ("t", 0x23)],  # AssemblyRefOS
    0x26: ["u4", "str", "blob"],  # File
    0x27: ["u4", "u4", "str", "str", "Implementation"],  # ExportedType
    0x28: ["u4", "u4", "str", "Implementation"],  # ManifestResource
    0x29: [("t", 0x02), ("t", 0x02)],  # NestedClass
    0x2A: ["u2", "u2", "TypeOrMethodDef", "str"],  # GenericParam
    0x2B: ["MethodDefOrRef", "blob"],  # MethodSpec
    0x2C: [("t", 0x2A), "TypeDefOrRef"],  # GenericParamConstraint
}

CODED = {
    "TypeDefOrRef": (2, [0x02, 0x01, 0x1B]),
    "HasConstant": (2, [0x04, 0x08, 0x17]),
    "HasCustomAttribute": (5, [0x06, 0x04, 0x01, 0x02, 0x08, 0x09, 0x0A, 0x00, 0x0E, 0x17, 0x14, 0x11, 0x1A, 0x1B,
                               0x20, 0x23, 0x26, 0x27, 0x28, 0x2A, 0x2C, 0x2B]),
    "HasFieldMarshal": (1, [0x04, 0x08]),
    "HasDeclSecurity": (2, [0x02, 0x06, 0x20]),
    "MemberRefParent": (3, [0x02, 0x01, 0x1A, 0x06, 0x1B]),
    "HasSemantics": (1, [0x14, 0x17]),
    "MethodDefOrRef": (1, [0x06, 0x0A]),
    "MemberForwarded": (1, [0x04, 0x06]),
    "Implementation": (2, [0x26, 0x23, 0x27]),
    "CustomAttributeType": (3, [None, None, 0x06, 0x0A, None]),
    "ResolutionScope": (2, [0x00, 0x1A, 0x23, 0x01]),
    "TypeOrMethodDef": (1, [0x02, 0x06]),
}

PRIMITIVES = {0x01: "Void", 0x02: "Boolean", 0x03: "Char", 0x04: "SByte", 0x05: "Byte", 0x06: "Int16", 0x07: "UInt16",
              0x08: "Int32", 0x09: "UInt32", 0x0A: "Int64", 0x0B: "UInt64", 0x0C: "Single", 0x0D: "Double",
              0x0E: "String", 0x16: "TypedReference", 0x18: "IntPtr", 0x19: "UIntPtr", 0x1C: "Object"}
CORELIB = "System.Private.CoreLib"


class Metadata:
    """Just enough of an ECMA-335 reader for an .mstat file."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = data = f.read()
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            raise SystemExit(f"{path}: not a PE file")
        sections, optional_size = struct.unpack_from("<H", data, pe + 6)[0], struct.unpack_from("<H", data, pe + 20)[0]
        optional = pe + 24
        directories = optional + (96 if struct.unpack_from("<H", data, optional)[0] == 0x10B else 112)
        self.sections = []
        for i in range(sections):
            at = optional + optional_size + 40 * i
            name = data[at:at + 8].rstrip(b"\0").decode()
            vsize, va, raw_size, raw = struct.unpack_from("<IIII", data, at + 8)
            self.sections.append((name, va, max(vsize, raw_size), raw))
        cli_rva = struct.unpack_from("<I", data, directories + 14 * 8)[0]
        cli = self.offset(cli_rva)
        root = self.offset(struct.unpack_from("<I", data, cli + 8)[0])
        if struct.unpack_from("<I", data, root)[0] != 0x424A5342:
            raise SystemExit(f"{path}: no CLI metadata")
        version_length = struct.unpack_from("<I", data, root + 12)[0]
        at = root + 16 + version_length  # then u2 flags, u2 number of streams, the stream headers
        count = struct.unpack_from("<H", data, at + 2)[0]
        at += 4
        streams = {}
        for _ in range(count):
            offset, _ = struct.unpack_from("<II", data, at)
            end = data.index(b"\0", at + 8)
            streams[data[at + 8:end].decode()] = root + offset
            at = (end + 4) & ~3
        self.strings, self.blobs, self.user_strings = streams["#Strings"], streams["#Blob"], streams.get("#US")
        self._read_tables(streams.get("#~") or streams["#-"])

    def offset(self, rva):
        for _, va, size, raw in self.sections:
            if va <= rva < va + size:
                return rva - va + raw
        raise ValueError(f"RVA {rva:#x} outside every section")

    def section(self, name):
        for section_name, _, size, raw in self.sections:
            if section_name == name:
                return self.data[raw:raw + size]
        return None

    def _read_tables(self, at):
        data = self.data
        heap_sizes = data[at + 6]
        valid = struct.unpack_from("<Q", data, at + 8)[0]
        at += 24
        self.rows = {}
        for table in range(64):
            if valid >> table & 1:
                self.rows[table] = struct.unpack_from("<I", data, at)[0]
                at += 4
        if heap_sizes & 0x40:
            at += 4
        sizes = {"u1": 1, "u2": 2, "u4": 4, "str": 4 if heap_sizes & 1 else 2, "guid": 4 if heap_sizes & 2 else 2,
                 "blob": 4 if heap_sizes & 4 else 2}
        for name, (bits, tables) in CODED.items():
            largest = max((self.rows.get(t, 0) for t in tables if t is not None), default=0)
            sizes[name] = 2 if largest < (1 << (16 - bits)) else 4
        self.layout = {}
        for table in sorted(self.rows):
            if table not in TABLES:
                raise SystemExit(f"unexpected metadata table {table:#x}")
            columns = [sizes[c] if isinstance(c, str) else (2 if self.rows.get(c[1], 0) < 0x10000 else 4)
                       for c in TABLES[table]]
            self.layout[table] = (at, columns, sum(columns))
            at += sum(columns) * self.rows[table]

    def row(self, table, index):
        """Row `index` (1-based) of `table` as a list of integers."""
        start, columns, width = self.layout[table]
        at = start + (index - 1) * width
        values = []
        for size in columns:
            values.append(struct.unpack_from("<H" if size == 2 else "<I", self.data, at)[0])
            at += size
        return values

    def string(self, index):
        start = self.strings + index
        return self.data[start:self.data.index(b"\0", start)].decode("utf-8", "replace")

    def blob(self, index):
        at = self.blobs + index
        length, at = compressed(self.data, at)
        return self.data[at:at + length]

    def user_string(self, token):
        at = self.user_strings + (token & 0xFFFFFF)
        length, at = compressed(self.data, at)
        return self.data[at:at + length - 1].decode("utf-16-le", "replace")

    def method_body(self, rva):
        at = self.offset(rva)
        first = self.data[at]
        if first & 3 == 2:
            return self.data[at + 1:at + 1 + (first >> 2)]
        header = (struct.unpack_from("<H", self.data, at)[0] >> 12) * 4
        size = struct.unpack_from("<I", self.data, at + 4)[0]
        return self.data[at + header:at + header + size]


def compressed(data, at):
    first = data[at]
    if first & 0x80 == 0:
        return first, at + 1
    if first & 0xC0 == 0x80:
        return (first & 0x3F) << 8 | data[at + 1], at + 2
    return (first & 0x1F) << 24 | data[at + 1] << 16 | data[at + 2] << 8 | data[at + 3], at + 4


def decode_coded(kind, value):
    bits, tables = CODED[kind]
    return tables[value & ((1 << bits) - 1)], value >> bits


class Resolver:
    """Maps mstat tokens to (assembly, namespace, type name)."""

    def __init__(self, md):
        self.md = md
        self.cache = {}
        self.module_name = md.string(md.row(0x00, 1)[1]) if md.rows.get(0x00) else "?"

    def type_of_token(self, token):
        table, index = token >> 24, token & 0xFFFFFF
        key = (table, index)
        if key not in self.cache:
            self.cache[key] = self._type(table, index)
        return self.cache[key]

    def _type(self, table, index):
        md = self.md
        if table == 0x01:  # TypeRef
            scope, name, namespace = md.row(0x01, index)
            scope_table, scope_index = decode_coded("ResolutionScope", scope)
            name = md.string(name)
            if scope_table == 0x01:  # nested: the namespace and assembly of the outermost type
                assembly, outer_namespace, outer = self._type(0x01, scope_index)
                return assembly, outer_namespace, f"{outer}+{name}"
            if scope_table == 0x23:
                assembly = md.string(md.row(0x23, scope_index)[6])
            else:
                assembly = self.module_name
            return assembly, md.string(namespace), name
        if table == 0x02:  # TypeDef (emitted into the mstat itself: rare)
            _, name, namespace, *_ = md.row(0x02, index)
            return self.module_name, md.string(namespace), md.string(name)
        if table == 0x1B:  # TypeSpec
            return self._signature_type(md.blob(md.row(0x1B, index)[0]), 0)[0]
        if table == 0x0A:  # MemberRef: its parent
            parent_table, parent_index = decode_coded("MemberRefParent", md.row(0x0A, index)[0])
            if parent_table == 0x06:
                return self._type(0x06, parent_index)
            if parent_table == 0x1A:
                return self.module_name, "", md.string(md.row(0x1A, parent_index)[0])
            return self._type(parent_table, parent_index)
        if table == 0x2B:  # MethodSpec: its generic method
            method_table, method_index = decode_coded("MethodDefOrRef", md.row(0x2B, index)[0])
            return self._type(method_table, method_index)
        if table == 0x06:  # MethodDef: the TypeDef whose method list holds it
            owner = 1
            for candidate in range(1, md.rows.get(0x02, 0) + 1):
                if md.row(0x02, candidate)[5] <= index:
                    owner = candidate
            return self._type(0x02, owner)
        return self.module_name, "", f"(token {table:#x}:{index})"

    def _signature_type(self, sig, at):
        element = sig[at]
        at += 1
        if element in (0x1F, 0x20):  # custom modifiers: skip
            _, at = compressed(sig, at)
            return self._signature_type(sig, at)
        if element in PRIMITIVES:
            return (CORELIB, "System", PRIMITIVES[element]), at
        if element in (0x11, 0x12):  # VALUETYPE / CLASS TypeDefOrRef
            coded, at = compressed(sig, at)
            table, index = decode_coded("TypeDefOrRef", coded)
            return self._type(table, index), at
        if element == 0x15:  # GENERICINST: the generic definition counts
            return self._signature_type(sig, at)
        if element in (0x0F, 0x10, 0x1D, 0x14, 0x45):  # PTR, BYREF, SZARRAY, ARRAY, PINNED: the element
            return self._signature_type(sig, at)
        if element in (0x13, 0x1E):  # VAR / MVAR
            return (CORELIB, "System", "(generic parameter)"), at
        if element == 0x1B:
            return (CORELIB, "System", "(function pointer)"), at
        return (CORELIB, "System", f"(element type {element:#x})"), at


def scan_il(md, body):
    """Yields ('token', t), ('int', n) and ('string', token) for the ldtoken / ldc.i4 / ldstr sequences of an mstat method."""
    at = 0
    while at < len(body):
        op = body[at]
        at += 1
        if op == 0xD0:
            yield "token", struct.unpack_from("<I", body, at)[0]
            at += 4
        elif op == 0x20:
            yield "int", struct.unpack_from("<i", body, at)[0]
            at += 4
        elif op == 0x1F:
            yield "int", struct.unpack_from("<b", body, at)[0]
            at += 1
        elif 0x15 <= op <= 0x1E:
            yield "int", op - 0x16
        elif op == 0x72:
            yield "string", struct.unpack_from("<I", body, at)[0]
            at += 4
        elif op in (0x00, 0x26, 0x2A):  # nop, pop, ret
            continue
        else:
            raise SystemExit(f"unexpected IL opcode {op:#x} in the mstat: newer format?")


def global_methods(md):
    """The mstat's global methods by name -> IL body."""
    _, _, _, _, _, first_method = md.row(0x02, 1)
    last_method = md.row(0x02, 2)[5] if md.rows.get(0x02, 0) > 1 else md.rows[0x06] + 1
    found = {}
    for index in range(first_method, last_method):
        rva, _, _, name, _, _ = md.row(0x06, index)
        found[md.string(name)] = md.method_body(rva) if rva else b""
    return found


def records(items, width):
    """Groups the flat (kind, value) sequence into records starting at each 'token'/'string'."""
    record = []
    for item in items:
        if item[0] in ("token", "string") and record:
            yield record
            record = []
        record.append(item)
    if record:
        yield record


class Stats:
    def __init__(self, path):
        md = Metadata(path)
        self.version = md.row(0x20, 1)[1:3] if md.rows.get(0x20) else (0, 0)
        resolver = Resolver(md)
        bodies = global_methods(md)
        names = md.section(".names")

        def mangled(offset):
            if names is None or offset is None:
                return None
            length, at = compressed(names, offset)
            return names[at:at + length].decode("utf-8", "replace")

        self.methods = []  # (assembly, namespace, type, code, gcinfo, ehinfo, name)
        for record in records(scan_il(md, bodies.get("Methods", b"")), 5):
            token = record[0][1]
            values = [v for kind, v in record[1:] if kind == "int"] + [0, 0, 0, None]
            assembly, namespace, type_name = resolver.type_of_token(token)
            name = mangled(values[3]) if self.version[0] >= 2 else None
            self.methods.append((assembly, namespace, type_name, values[0], values[1], values[2], name))
        self.types = []  # (assembly, namespace, type, size, name)
        for record in records(scan_il(md, bodies.get("Types", b"")), 3):
            token = record[0][1]
            values = [v for kind, v in record[1:] if kind == "int"] + [0, None]
            assembly, namespace, type_name = resolver.type_of_token(token)
            name = mangled(values[1]) if self.version[0] >= 2 else None
            self.types.append((assembly, namespace, type_name, values[0], name))
        self.blobs = collections.Counter()
        for record in records(scan_il(md, bodies.get("Blobs", b"")), 2):
            if record[0][0] == "string":
                self.blobs[md.user_string(record[0][1])] += next((v for kind, v in record[1:] if kind == "int"), 0)

    def grouped(self, key):
        """key(assembly, namespace, type) -> {group: [code incl. gc/eh, types, methods count]}"""
        groups = collections.defaultdict(lambda: [0, 0, 0])
        for assembly, namespace, type_name, code, gc, eh, _ in self.methods:
            group = groups[key(assembly, namespace, type_name)]
            group[0] += code + gc + eh
            group[2] += 1
        for assembly, namespace, type_name, size, _ in self.types:
            groups[key(assembly, namespace, type_name)][1] += size
        return groups


def by_assembly(assembly, namespace, type_name):
    return assembly


def by_namespace(assembly, namespace, type_name):
    return f"{namespace or '(global)'}  [{assembly}]"


def by_type(assembly, namespace, type_name):
    return f"{namespace + '.' if namespace else ''}{type_name}  [{assembly}]"


def kib(n):
    return f"{n / 1024:,.1f}"


def print_table(title, groups, top, previous=None):
    rows = sorted(groups.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
    total_code = sum(g[0] for g in groups.values())
    total_types = sum(g[1] for g in groups.values())
    print(f"\n## {title} (KiB; code = machine code + GC info + EH info; types = MethodTables, dehydrated)")
    header = f"{'code':>9} {'types':>8} {'total':>9} {'share':>6} {'methods':>7}"
    if previous is not None:
        header += f" {'Δ total':>9}"
    print(f"{header}  name")
    for name, (code, types, count) in rows[:top]:
        line = f"{kib(code):>9} {kib(types):>8} {kib(code + types):>9} {100 * (code + types) / max(1, total_code + total_types):5.1f}% {count:>7}"
        if previous is not None:
            old = previous.get(name, [0, 0, 0])
            line += f" {kib(code + types - old[0] - old[1]):>9}"
        print(f"{line}  {name}")
    if len(rows) > top:
        rest = rows[top:]
        code, types = sum(r[1][0] for r in rest), sum(r[1][1] for r in rest)
        print(f"{kib(code):>9} {kib(types):>8} {kib(code + types):>9} {100 * (code + types) / max(1, total_code + total_types):5.1f}% "
              f"{sum(r[1][2] for r in rest):>7}  ({len(rest)} more)")
    print(f"{kib(total_code):>9} {kib(total_types):>8} {kib(total_code + total_types):>9} 100.0% "
          f"{sum(g[2] for g in groups.values()):>7}  total")


def print_changes(title, now, before, top):
    names = set(now) | set(before)
    deltas = []
    for name in names:
        a, b = before.get(name, [0, 0, 0]), now.get(name, [0, 0, 0])
        delta = (b[0] + b[1]) - (a[0] + a[1])
        if delta:
            deltas.append((delta, name, a[0] + a[1], b[0] + b[1]))
    deltas.sort()
    print(f"\n## {title}: biggest changes (KiB, before -> after)")
    for delta, name, a, b in deltas[:top]:
        print(f"{kib(delta):>9}  {kib(a):>8} -> {kib(b):>8}  {name}")
    grown = [d for d in deltas if d[0] > 0][-10:]
    if grown:
        print("  grown:")
        for delta, name, a, b in reversed(grown):
            print(f"{'+' + kib(delta):>9}  {kib(a):>8} -> {kib(b):>8}  {name}")


def elf_sections(path):
    """(name, type, flags, size) of each ELF64 section, like `size -A`."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return None
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx][4]
    result = []
    for name, kind, flags, _, _, size, *_ in headers[1:]:
        label = data[strtab + name:data.index(b"\0", strtab + name)].decode()
        result.append((label, kind, flags, size))
    return result, len(data)


def print_elf(path):
    parsed = elf_sections(path)
    if parsed is None:
        print(f"\n{path}: not an ELF64 file")
        return
    sections, file_size = parsed
    print(f"\n## ELF sections of {path} ({file_size:,} bytes on disk)")
    print(f"{'bytes':>12} {'KiB':>9}  section  (what it is)")
    notes = {
        ".text": "native runtime (GC, runtime helpers): fixed cost",
        "__managedcode": "managed machine code",
        "__unbox": "unboxing stubs",
        ".rodata": "read-only data: dehydrated MethodTables, metadata, GC/EH info, frozen strings/objects, stack trace data",
        ".dotnet_eh_table": "GC info + EH clauses of the managed methods",
        ".eh_frame": "unwind info (grows with the number of methods)",
        ".eh_frame_hdr": "unwind lookup table",
        ".data": "writable data: statics, dispatch cells",
        ".bss": "zeroed statics (anonymous memory once touched)",
        ".hydrated": "MethodTables expanded at start from the dehydrated data: ANONYMOUS memory, written in full",
        ".rela.dyn": "relocations applied at load (pages of .data.rel.ro/.data they touch become private)",
    }
    for name, kind, flags, size in sections:
        nobits = " (no file bytes)" if kind == 8 else ""
        print(f"{size:>12,} {kib(size):>9}  {name}{nobits}  {notes.get(name, '')}")


def why(dgml, pattern, chains):
    """Prints, for the first `chains` nodes whose label matches, one shortest dependency chain from a root to it."""
    node = re.compile(r'<Node Id="(\d+)" Label="([^"]*)"')
    link = re.compile(r'<Link Source="(\d+)" Target="(\d+)" Reason="([^"]*)"')
    labels, sources = {}, collections.defaultdict(list)
    with open(dgml, encoding="utf-8-sig") as f:
        for line in f:
            m = node.search(line)
            if m:
                labels[m.group(1)] = m.group(2)
                continue
            m = link.search(line)
            if m:
                sources[m.group(2)].append((m.group(1), m.group(3)))
    matcher = re.compile(pattern)
    targets = [n for n, label in labels.items() if matcher.search(label)]
    print(f"\n## Why: {len(targets)} nodes match /{pattern}/ in {dgml}")
    for target in targets[:chains]:
        # Breadth-first backwards from the target to a node nothing depends on (a root).
        came_from, queue, root = {target: None}, collections.deque([target]), None
        while queue:
            current = queue.popleft()
            if not sources.get(current):
                root = current
                break
            for source, reason in sources[current]:
                if source not in came_from:
                    came_from[source] = (current, reason)
                    queue.append(source)
        step, lines = root, []
        while step is not None:
            lines.append(labels.get(step, step).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
            if came_from[step] is None:
                break
            step, reason = came_from[step]
            lines.append(f"    --({reason})-->")
        print("\n".join(lines))
        print("----")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mstat", nargs="?", default=DEFAULT_MSTAT, help=f"the .mstat (default {DEFAULT_MSTAT})")
    parser.add_argument("--binary", default=DEFAULT_BINARY, help=f"the published ELF binary (default {DEFAULT_BINARY})")
    parser.add_argument("--compare", metavar="OLD_MSTAT", help="an earlier .mstat: print the changes by assembly and namespace")
    parser.add_argument("--top", type=int, default=40, help="namespaces to list (default 40)")
    parser.add_argument("--types", type=int, default=0, help="also list the N biggest types (methods + MethodTable)")
    parser.add_argument("--methods", type=int, default=0, help="also list the N biggest methods (mangled names)")
    parser.add_argument("--namespace", help="only methods/types whose namespace starts with this (for --types/--methods)")
    parser.add_argument("--sum", action="append", default=[], metavar="REGEX",
                        help="total of the types whose full name matches (e.g. 'Http2|HPack' for what HTTP/2 costs); repeatable")
    parser.add_argument("--why", metavar="REGEX", help="dependency chains to the nodes whose name matches (needs the DGML, see above)")
    parser.add_argument("--dgml", default=DEFAULT_DGML, help=f"ILC's scan DGML for --why (default {DEFAULT_DGML})")
    parser.add_argument("--chains", type=int, default=1, help="how many matching nodes --why explains (default 1)")
    args = parser.parse_args()
    if args.why:
        if not os.path.exists(args.dgml):
            sys.exit(f"{args.dgml} not found: publish with -p:IlcGenerateDgmlFile=true first")
        why(args.dgml, args.why, args.chains)
        return
    if not os.path.exists(args.mstat):
        sys.exit(f"{args.mstat} not found: publish with -p:IlcGenerateMstatFile=true first (see --help)")

    stats = Stats(args.mstat)
    code = sum(m[3] for m in stats.methods)
    gc = sum(m[4] for m in stats.methods)
    eh = sum(m[5] for m in stats.methods)
    types = sum(t[3] for t in stats.types)
    print(f"# {args.mstat} (mstat format {stats.version[0]}.{stats.version[1]})")
    print(f"methods {len(stats.methods):,}: code {kib(code)} KiB, GC info {kib(gc)} KiB, EH info {kib(eh)} KiB; "
          f"MethodTables {len(stats.types):,}: {kib(types)} KiB; other blobs {kib(sum(stats.blobs.values()))} KiB")

    previous = Stats(args.compare) if args.compare else None
    print_table("By assembly", stats.grouped(by_assembly), 1000, previous.grouped(by_assembly) if previous else None)
    print_table(f"By namespace (top {args.top})", stats.grouped(by_namespace), args.top,
                previous.grouped(by_namespace) if previous else None)
    if previous:
        old_code = sum(m[3] + m[4] + m[5] for m in previous.methods)
        old_types = sum(t[3] for t in previous.types)
        print(f"\nbefore: code {kib(old_code)} KiB + types {kib(old_types)} KiB; after: code {kib(code + gc + eh)} KiB + "
              f"types {kib(types)} KiB; change {kib(code + gc + eh + types - old_code - old_types)} KiB")
        print_changes("By namespace", stats.grouped(by_namespace), previous.grouped(by_namespace), args.top)

    print(f"\n## Other blobs (KiB, top 25)")
    for name, size in stats.blobs.most_common(25):
        print(f"{kib(size):>9}  {name}")

    selected = (lambda ns: ns.startswith(args.namespace)) if args.namespace else (lambda ns: True)
    if args.types:
        groups = collections.defaultdict(lambda: [0, 0, 0])
        for assembly, namespace, type_name, c, g, e, _ in stats.methods:
            if selected(namespace):
                row = groups[by_type(assembly, namespace, type_name)]
                row[0] += c + g + e
                row[2] += 1
        for assembly, namespace, type_name, size, _ in stats.types:
            if selected(namespace):
                groups[by_type(assembly, namespace, type_name)][1] += size
        print_table(f"Biggest types (top {args.types})", groups, args.types)
    if args.methods:
        chosen = sorted((m for m in stats.methods if selected(m[1])), key=lambda m: -(m[3] + m[4] + m[5]))[:args.methods]
        print(f"\n## Biggest methods (bytes of code + GC + EH)")
        for assembly, namespace, type_name, c, g, e, name in chosen:
            print(f"{c + g + e:>9,}  {name or namespace + '.' + type_name}  [{assembly}]")

    for pattern in args.sum:
        matcher = re.compile(pattern)
        code_total, type_total, count, names = 0, 0, 0, set()
        for assembly, namespace, type_name, c, g, e, _ in stats.methods:
            if matcher.search(f"{namespace}.{type_name}"):
                code_total, count = code_total + c + g + e, count + 1
                names.add(f"{namespace}.{type_name}")
        for assembly, namespace, type_name, size, _ in stats.types:
            if matcher.search(f"{namespace}.{type_name}"):
                type_total += size
                names.add(f"{namespace}.{type_name}")
        print(f"\n## Types matching /{pattern}/: {len(names)} types, {count} methods: code {kib(code_total)} KiB + "
              f"MethodTables {kib(type_total)} KiB = {kib(code_total + type_total)} KiB")

    if os.path.exists(args.binary):
        print_elf(args.binary)


if __name__ == "__main__":
    main()
