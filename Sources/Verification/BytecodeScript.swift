/// The Python program ``BytecodeChecker`` runs in the environment's trusted interpreter (the base
/// interpreter of a virtual environment: the same binary, so the same magic number and compiler).
///
/// It reads one JSON list `[{"pyc", "source", "optimize"}]` on stdin and prints one JSON list of
/// verdicts `[{"index", "verdict": "match"|"stale"|"differs"|"error", "note"}]`, one per request in
/// order. It judges a `.pyc` by what the interpreter's source loader would execute
/// (`SourceLoader.get_code`):
/// - a header the loader rejects is **stale**, never loaded (Python compiles the verified source
///   instead): shorter than 16 bytes, another magic number, unknown flag bits, a timestamp `.pyc`
///   whose mtime/size (low 32 bits) differ from the source's, a *checked* hash-based `.pyc` whose
///   `importlib.util.source_hash` differs. A restored file with a new mtime is no tampering;
/// - a header the loader accepts (timestamp or checked hash matching, or an *unchecked*
///   hash-based `.pyc`, which is loaded whatever the source says) means its code runs: it
///   **matches** only when the unmarshalled code object equals what `compile()` makes from the
///   source at the `.opt-N` level, else it **differs** (a body that does not unmarshal to code
///   also differs: the import would fail).
/// Code objects are compared with `==` (bytecode, constants, names, nested code), never as marshal
/// bytes, which differ with reference counts. Files are read with a size cap; nothing from them is
/// executed.
enum BytecodeScript {
    static let source = #"""
        import importlib.util, json, marshal, os, sys

        CAP = 64 << 20

        def read(path):
            with open(path, "rb") as handle:
                data = handle.read(CAP + 1)
            if len(data) > CAP:
                raise ValueError("larger than %d bytes" % CAP)
            return data

        def check(item):
            pyc, source, optimize = item["pyc"], item["source"], int(item["optimize"])
            try:
                data = read(pyc)
                text = read(source)
                info = os.stat(source)
            except (OSError, ValueError) as error:
                return "error", "cannot read: %s" % error
            if len(data) < 16:
                return "stale", "shorter than a .pyc header: never loaded"
            if data[:4] != importlib.util.MAGIC_NUMBER:
                return "stale", "another interpreter's magic number: never loaded"
            flags = int.from_bytes(data[4:8], "little")
            if flags & ~0b11:
                return "stale", "unknown header flags %#x: never loaded" % flags
            if flags & 0b1:
                if flags & 0b10 and data[8:16] != importlib.util.source_hash(text):
                    return "stale", "checked source hash differs: never loaded"
            else:
                mtime = int.from_bytes(data[8:12], "little")
                size = int.from_bytes(data[12:16], "little")
                if mtime != (int(info.st_mtime) & 0xFFFFFFFF) or size != (info.st_size & 0xFFFFFFFF):
                    return "stale", "header mtime/size differ from the source: never loaded"
            try:
                code = marshal.loads(data[16:])
            except Exception as error:
                return "differs", "code does not load: %s" % type(error).__name__
            try:
                expected = compile(text, source, "exec", dont_inherit=True, optimize=optimize)
            except Exception as error:
                return "differs", "the source does not compile: %s" % type(error).__name__
            if type(code) is not type(expected) or code != expected:
                return "differs", "code differs"
            return "match", None

        def main():
            requests = json.loads(sys.stdin.buffer.read())
            results = []
            for index, item in enumerate(requests):
                try:
                    verdict, note = check(item)
                except Exception as error:
                    verdict, note = "error", "%s: %s" % (type(error).__name__, error)
                results.append({"index": index, "verdict": verdict, "note": note})
            json.dump(results, sys.stdout)

        main()
        """#
}
