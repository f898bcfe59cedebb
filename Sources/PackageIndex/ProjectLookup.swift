import Foundation
import PythonPackaging

/// A project's files as the configured indexes offer them, combined under the configuration's
/// ``IndexStrategy``.
///
/// Guarantees: `files` keep lookup order (index by index, each page's order); every file's
/// `indexURL` is the configured index whose page listed it (the only index its provenance is
/// looked up on); with ``IndexStrategy/firstIndex`` every file comes from `consulted[0]`, the first
/// index in lookup order whose page lists the project; with ``IndexStrategy/allIndexes``
/// `consulted` lists every index that has a page for it.
public struct ProjectLookup: Sendable {
    public var project: ProjectName
    public var files: [IndexFile]
    /// The indexes whose files are in `files` (configured URLs, userinfo included).
    public var consulted: [URL]
    /// The page URL of the first consulted index.
    public var pageURL: URL

    /// Combines per-index pages (in lookup order; nil where the index does not list the project).
    /// nil when no index lists it.
    public static func combine(
        _ pages: [(index: URL, page: ProjectPage?)], strategy: IndexStrategy, project: ProjectName
    ) -> ProjectLookup? {
        var files: [IndexFile] = []
        var consulted: [URL] = []
        var pageURL: URL?
        for (index, page) in pages {
            guard let page else { continue }
            consulted.append(index)
            if pageURL == nil { pageURL = page.url }
            for var file in page.files {
                file.indexURL = index
                files.append(file)
            }
            if strategy == .firstIndex { break }
        }
        guard let pageURL else { return nil }
        return ProjectLookup(project: project, files: files, consulted: consulted, pageURL: pageURL)
    }

    /// What several indexes offering one file (name) means for the installed distribution.
    public enum Duplicates: Sendable, Equatable {
        /// No name is offered twice with different (or unprovable) bytes: each name once, from
        /// the first index (in lookup order) that offers it.
        case distinct([IndexFile])
        /// A file name offered by two indexes that do not publish the same sha256 for it: the
        /// installed file cannot be attributed to one index, so it is reported, never picked.
        case conflict(String)
    }

    /// The file a name denotes, whatever its spelling: the parsed ``DistributionFilename`` (a
    /// wheel's normalised project name, PEP 440 version, build tag and tag set; an sdist's
    /// normalised project name, PEP 440 version and format), the equality an attestation's subject
    /// is judged by. `Dotted.Pkg-1.0.0-py3-none-any.whl` and `dotted_pkg-1.0-py3-none-any.whl` are
    /// one file, so are `A.B-1.0.0.tar.gz` and `a_b-1.0.tar.gz`; a name that is neither a wheel's
    /// nor an sdist's is its own identity.
    enum FileIdentity: Hashable {
        case distribution(DistributionFilename)
        case other(String)

        init(_ filename: String) {
            if let parsed = try? DistributionFilename(parsing: filename) {
                self = .distribution(parsed)
            } else {
                self = .other(filename)
            }
        }
    }

    /// Groups `candidates` (files that could be the installed wheel) by the file their name denotes
    /// (``FileIdentity``, so respellings of one name are one file). The same name
    /// with the same published sha256 on several indexes is the same file, and the first index
    /// offering it keeps it; the same name with different digests, or without a digest on one of
    /// them, is a ``Duplicates/conflict(_:)`` naming every index and digest.
    public static func resolveDuplicates(_ candidates: [IndexFile]) -> Duplicates {
        var order: [FileIdentity] = []
        var byName: [FileIdentity: [IndexFile]] = [:]
        for file in candidates {
            let key = FileIdentity(file.filename)
            if byName[key] == nil { order.append(key) }
            byName[key, default: []].append(file)
        }
        var kept: [IndexFile] = []
        var conflicts: [String] = []
        for name in order {
            let offers = byName[name] ?? []
            let digests = Set(offers.map { $0.sha256?.text ?? "" })
            if offers.count > 1, digests.count > 1 || digests.contains("") {
                let listed = offers.map {
                    "\($0.servedBy?.absoluteString ?? "?") (\(Set(offers.map(\.filename)).count > 1 ? $0.filename + ", " : "")"
                        + "sha256 \($0.sha256?.text ?? "not published"))"
                }
                let shown = offers[0].filename
                conflicts.append("\(shown) is offered by several indexes with different contents: " + listed.joined(separator: ", "))
            } else if let first = offers.first {
                kept.append(first)
            }
        }
        if !conflicts.isEmpty {
            return .conflict(
                conflicts.joined(separator: "; ")
                    + "; which one was installed cannot be told (dependency confusion?), so none is trusted")
        }
        return .distinct(kept)
    }
}

extension IndexFile {
    /// The index that served this file: the configured index (userinfo removed) whose project page
    /// listed it, set by ``IndexClient`` and by the offline cache. Its provenance is fetched from
    /// this index only, and a policy's `index` matches this URL. nil for files from the bare parsers.
    public var servedBy: URL? { indexURL?.removingUserInfo }
}
