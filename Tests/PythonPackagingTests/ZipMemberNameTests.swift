import Testing

@testable import PythonPackaging

/// The byte-level member-name check gives the reasons of the former character-level one.
@Suite struct ZipMemberNameTests {
    /// The former implementation, kept here as the reference.
    static func reference(_ name: String) -> String? {
        if name.utf8.contains(0) { return "contains NUL" }
        if name.contains("\\") { return "contains a backslash" }
        if name.hasPrefix("/") { return "is absolute" }
        let components = name.split(separator: "/", omittingEmptySubsequences: false)
        if components.contains("..") { return "has a .. component" }
        if let first = components.first, first.count == 2, first.hasSuffix(":") { return "starts with a drive letter" }
        return nil
    }

    static let names = [
        "", "a", "pkg/__init__.py", "pkg-1.0.dist-info/RECORD", "pkg-1.0.data/scripts/tool",
        "/etc/passwd", "..", "../x", "a/../b", "a/..", "a/...", "...", "a/.b", "./a", "a//b", "a/",
        "C:", "C:/x", "C:x", "é:/x", "ab:/x", ":", ":/x", "a\\b", "\\x", "a\u{0}b", "dir/C:/x",
        "a/b/c/d/e/f.py", "日本/語.py", "e\u{301}:/x", "..\u{301}/x",
    ]

    @Test(arguments: names) func sameReasonAsBefore(_ name: String) {
        #expect(ZipMemberName.escapeReason(name) == Self.reference(name), "\(name.debugDescription)")
    }

    @Test func everyUnsafeKindIsRefused() {
        #expect(ZipMemberName.escapeReason("../evil") == "has a .. component")
        #expect(ZipMemberName.escapeReason("/abs") == "is absolute")
        #expect(ZipMemberName.escapeReason("a\\b") == "contains a backslash")
        #expect(ZipMemberName.escapeReason("a\u{0}b") == "contains NUL")
        #expect(ZipMemberName.escapeReason("C:/x") == "starts with a drive letter")
        #expect(ZipMemberName.escapeReason("pkg/mod.py") == nil)
    }
}
