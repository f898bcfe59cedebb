/// The Python program ``BytecodeChecker`` runs in the environment's trusted interpreter (the base
/// interpreter of a virtual environment: the same binary, so the same magic number and compiler).
///
/// It reads one JSON list `[{"pyc", "source", "optimize"}]` on stdin and prints one JSON list of
/// verdicts `[{"index", "verdict": "match"|"differs"|"error", "note"}]`, one per request in order.
/// A `.pyc` matches only when its 16-byte header is this interpreter's (magic number equal to
/// `importlib.util.MAGIC_NUMBER`; flags 0 with the source's mtime and size, low 32 bits, or flag
/// bit 0 with `importlib.util.source_hash` of the source bytes) AND the unmarshalled code object
/// equals the code `compile()` makes from the source at the `.opt-N` level. Code objects are
/// compared with `==` (bytecode, constants, names, nested code), never as marshal bytes, which
/// differ with reference counts. Files are read with a size cap; nothing from them is executed.
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
        return "differs", "shorter than a .pyc header"
    if data[:4] != importlib.util.MAGIC_NUMBER:
        return "differs", "magic number is not this interpreter's"
    flags = int.from_bytes(data[4:8], "little")
    if flags & ~0b11:
        return "differs", "unknown header flags %#x" % flags
    if flags & 0b1:
        if data[8:16] != importlib.util.source_hash(text):
            return "differs", "header source hash differs"
    else:
        mtime = int.from_bytes(data[8:12], "little")
        size = int.from_bytes(data[12:16], "little")
        if mtime != (int(info.st_mtime) & 0xFFFFFFFF) or size != (info.st_size & 0xFFFFFFFF):
            return "differs", "header mtime/size differ from the source"
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
