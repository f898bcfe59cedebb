import Attestations
import Foundation
import PackageIndex
import Policy
import PythonPackaging

/// What the pipeline needs from the outside world: the index, the cache and who is trusted.
public struct VerificationContext: Sendable {
    /// The index client of pip's configuration (or of `--index-url`).
    public let index: IndexClient
    /// The index client of uv's configuration, when it applies to some distributions (see
    /// ``index(for:)``); nil when only `index` is used. Both share `http`.
    public let uvIndex: IndexClient?
    public let http: HTTPClient
    public let cache: ContentCache
    public let provenanceVerifier: ProvenanceVerifier
    /// No network at all: `index` and `http` are never called; pages, wheels and provenance come
    /// from the cache (the provenance is verified again), and anything missing is an `error` check.
    public let offline: Bool
    /// The rules packages are judged by; nil: every package by `provenanceVerifier`, with no
    /// rule named in the report (what a context built by hand gets).
    public let policy: TrustPolicy?

    public init(
        index: IndexClient, uvIndex: IndexClient? = nil, http: HTTPClient, cache: ContentCache,
        provenanceVerifier: ProvenanceVerifier, offline: Bool = false, policy: TrustPolicy? = nil
    ) {
        self.index = index
        self.uvIndex = uvIndex
        self.http = http
        self.cache = cache
        self.provenanceVerifier = provenanceVerifier
        self.offline = offline
        self.policy = policy
    }

    /// The configuration a distribution is looked up with: uv's for one uv installed (its
    /// `INSTALLER` is `uv`) and for every one when pip's configuration names no index; pip's
    /// otherwise. Without ``uvIndex``, always pip's.
    public func index(for installed: InstalledDistribution) -> IndexClient {
        guard let uvIndex else { return index }
        return installed.installer == "uv" || !index.configuration.namesIndex ? uvIndex : index
    }

    /// The report's index line: each configuration in use, its indexes and where it came from;
    /// with both in use, which distributions each applies to.
    public func indexSummary(for installed: [InstalledDistribution]) -> String {
        guard let uvIndex else { return index.configuration.summary }
        let byUV = installed.filter { index(for: $0).configuration.tool == .uv }.count
        let byPip = installed.count - byUV
        if byPip == 0 { return uvIndex.configuration.summary }
        let rule = index.configuration.namesIndex ? "INSTALLER uv" : "pip names no index"
        return "\(index.configuration.summary) for \(byPip) distribution(s); \(uvIndex.configuration.summary) for \(byUV) (\(rule))"
    }

    /// The indexes `installed` are looked up on, credentials removed, in lookup order, each once.
    public func indexURLs(for installed: [InstalledDistribution]) -> [String] {
        let clients =
            uvIndex == nil
            ? [index]
            : [index, uvIndex].compactMap { $0 }.filter { client in
                installed.contains { self.index(for: $0).configuration.tool == client.configuration.tool }
            }
        var seen = Set<String>()
        return clients.flatMap { $0.configuration.lookupIndexes.map { $0.url.removingUserInfo.absoluteString } }
            .filter { seen.insert($0).inserted }
    }

    /// The configuration a project that is not installed is looked up with: uv's when pip's
    /// names no index (as ``index(for:)`` decides for an installed one), else pip's.
    public var indexForProjects: IndexClient {
        guard let uvIndex, !index.configuration.namesIndex else { return index }
        return uvIndex
    }

    /// The cached pages and provenance (beside the wheels in `cache`).
    public var offlineCache: OfflineCache { OfflineCache(cache) }
}

/// A wheel fetched into the content-addressed cache, with the checks on its bytes.
public struct FetchedWheel: Sendable {
    public let file: IndexFile
    /// The cache entry; the digest below was computed from this very file.
    public let path: String
    public let sha256: SHA256Hex
    public let checks: [CheckResult]
}

/// What fetching one index file gave: the wheel in the cache, or the checks that say why not.
///
/// Guarantees: `.fetched` holds a wheel whose `path` is a cache entry and whose `sha256` was
/// computed from that very file; `.failed` holds at least one check, and the one that failed
/// (`download`, as an `error`) says why.
public enum WheelFetch: Sendable {
    case fetched(FetchedWheel)
    case failed([CheckResult])

    /// The wheel, when fetched.
    public var wheel: FetchedWheel? {
        if case .fetched(let wheel) = self { return wheel }
        return nil
    }

    /// The checks of the attempt: the wheel's, or those that say why it failed.
    public var checks: [CheckResult] {
        switch self {
        case .fetched(let wheel): wheel.checks
        case .failed(let checks): checks
        }
    }
}

/// The steps of verification, each usable alone (the single-step subcommands) and all together.
///
/// Every step returns its findings as ``CheckResult`` values; a step that cannot run returns an
/// `error` check rather than throwing, so one package's trouble never stops the others.
public struct Pipeline: Sendable {
    public let context: VerificationContext

    public init(context: VerificationContext) {
        self.context = context
    }

    // MARK: [1/5] locate

    /// Finds the index files that could be the installed wheel, on the indexes of the
    /// configuration that applies to it (``VerificationContext/index(for:)``), combined under that
    /// configuration's strategy (``ProjectLookup``). A file name offered by two indexes with
    /// different digests fails `index-file` (``ProjectLookup/resolveDuplicates(_:)``); otherwise
    /// the candidates come in lookup order (the index first, then the file name) and the check's
    /// detail names the index that served each.
    public func locate(_ installed: InstalledDistribution) async -> (candidates: [IndexFile], check: CheckResult) {
        let client = context.index(for: installed)
        let configuration = client.configuration
        let lookup: ProjectLookup
        switch await self.lookup(installed.name, on: client) {
        case .failure(let check): return ([], check)
        case .success(let found): lookup = found
        }
        let rank = Dictionary(lookup.consulted.enumerated().map { ($1.absoluteString, $0) }, uniquingKeysWith: { first, _ in first })
        let matching = WheelSelection.candidates(in: lookup.files, for: installed).sorted { a, b in
            let ra = rank[a.indexURL?.absoluteString ?? ""] ?? Int.max
            let rb = rank[b.indexURL?.absoluteString ?? ""] ?? Int.max
            return ra != rb ? ra < rb : a.filename < b.filename
        }
        if matching.isEmpty {
            let tags = installed.wheelMetadata.map { $0.tags.map(\.description).sorted().joined(separator: ".") } ?? "unknown tags"
            return (
                [],
                CheckResult(
                    .indexFile, .fail,
                    "the installed \(installed.name.raw) \(installed.rawVersion) (\(tags)) is not on the index: "
                        + WheelSelection.describeOffer(lookup.files, for: installed))
            )
        }
        switch ProjectLookup.resolveDuplicates(matching) {
        case .conflict(let message):
            return ([], CheckResult(.indexFile, .fail, message))
        case .distinct(let candidates):
            let named = candidates.map { "\($0.filename) on \($0.servedBy?.absoluteString ?? "the index")" }
            // Which installer's configuration found it, whenever uv's is in play.
            let via = context.uvIndex == nil && configuration.tool == .pip ? "" : " (\(configuration.tool.rawValue) configuration)"
            return (candidates, CheckResult(.indexFile, .pass, named.joined(separator: ", ") + via))
        }
    }

    /// A project's files on the indexes of a configuration, or the `index-file` check that says
    /// why there are none.
    enum LookupResult {
        case success(ProjectLookup)
        case failure(CheckResult)
    }

    /// The project's pages on every index of `client`'s configuration (from the cache when
    /// offline), combined under its strategy (``ProjectLookup``); each page fetched online is kept
    /// for offline use.
    func lookup(_ name: ProjectName, on client: IndexClient) async -> LookupResult {
        let configuration = client.configuration
        let indexes = configuration.lookupIndexes.map(\.url)
        if context.offline {
            let pages = indexes.map { index -> (index: URL, page: ProjectPage?) in
                var page = context.offlineCache.projectPage(indexURL: index, project: name)
                // Only files this index listed (a page cached by an older version merged several).
                page?.files.removeAll { $0.servedBy.map { $0 != index.removingUserInfo } ?? false }
                return (index, page)
            }
            guard let found = ProjectLookup.combine(pages, strategy: configuration.strategy, project: name) else {
                return .failure(
                    CheckResult(
                        .indexFile, .error,
                        "offline: no cached project page for \(name.normalized) at "
                            + "\(indexes.map(\.redacted).joined(separator: ", ")); run once online"))
            }
            return .success(found)
        }
        do {
            let pages = try await client.pages(name)
            for (index, page) in pages {
                if let page { try? context.offlineCache.storeProjectPage(page, indexURL: index, project: name) }
            }
            guard let found = ProjectLookup.combine(pages, strategy: configuration.strategy, project: name) else {
                let tried = indexes.map { IndexClient.projectURL(index: $0, project: name).redacted }
                return .failure(
                    CheckResult(
                        .indexFile, .fail,
                        "\(name.raw) is not on the index (project \(name.normalized) not found at \(tried.joined(separator: ", ")))"))
            }
            return .success(found)
        } catch {
            return .failure(CheckResult(.indexFile, .error, error.message))
        }
    }

    // MARK: [2/5] download

    /// Downloads (or finds in the cache) one index file, hashes the cached bytes and compares the
    /// digest with the one the index publishes. With `knownSize` (the size a trusted source
    /// records, which source — "the lock records" — and the check that source answers for), a
    /// download is stopped one byte past it and fails that check: those bytes cannot be the file
    /// meant, and an index could otherwise feed a body above the minimum rate up to the 8 GiB cap.
    public func fetchWheel(
        _ file: IndexFile, knownSize: (bytes: Int64, source: String, check: CheckName)? = nil
    ) async -> WheelFetch {
        var checks: [CheckResult] = []
        // The cache hashes the entry itself before handing it out (`verifiedPath`) or taking it in
        // (`store`), so `sha256` below is the digest of the very file the RECORD is then read from.
        let path: String
        let sha256: SHA256Hex
        do {
            if let published = file.sha256, let cached = try context.cache.verifiedPath(sha256Hex: published) {
                path = cached
                sha256 = published
            } else if context.offline {
                let reason =
                    file.sha256 == nil
                    ? "the cached page publishes no sha256 for \(file.filename)"
                    : "no cached wheel \(file.filename) (sha256 \(file.sha256?.text ?? ""))"
                return .failed([CheckResult(.download, .error, "offline: \(reason); run once online")])
            } else {
                let temporary = context.cache.temporaryPath()
                let downloaded = try await context.http.download(
                    file.url, to: temporary, expectedSHA256: nil, maxSize: knownSize?.bytes)
                try context.cache.store(download: temporary, sha256Hex: downloaded.sha256)
                path = context.cache.path(sha256Hex: downloaded.sha256)
                sha256 = downloaded.sha256
            }
        } catch {
            if error.code == .tooLarge, let knownSize {
                return .failed([
                    CheckResult(
                        knownSize.check, .fail,
                        "\(file.filename): the index serves more than the \(knownSize.bytes) bytes \(knownSize.source); "
                            + "not the file meant (\(error.message))")
                ])
            }
            return .failed([CheckResult(.download, .error, error.message)])
        }
        checks.append(CheckResult(.download, .pass, "\(file.filename) sha256 \(sha256)"))
        checks.append(Self.indexHashCheck(published: file.sha256, actual: sha256))
        return .fetched(FetchedWheel(file: file, path: path, sha256: sha256, checks: checks))
    }

    static func indexHashCheck(published: SHA256Hex?, actual: SHA256Hex) -> CheckResult {
        guard let published else {
            return CheckResult(.indexHash, .skip, "the index publishes no sha256 for this file")
        }
        if published == actual {
            return CheckResult(.indexHash, .pass, "matches the index's sha256")
        }
        return CheckResult(.indexHash, .fail, "the index publishes sha256 \(published) but the wheel is \(actual)")
    }

    // MARK: [3/5] provenance

    /// Fetches the provenance of an index file; a missing one is a failure (provenance is required).
    public func fetchProvenance(
        for file: IndexFile, project: ProjectName, version: String
    ) async
        -> (provenance: FetchedProvenance?, check: CheckResult)
    {
        if context.offline { return cachedProvenance(for: file, sha256: file.sha256) }
        do {
            let fetched = try await context.index.provenance(for: file, project: project, version: version)
            let count = fetched.provenance.attestationBundles.reduce(0) { $0 + $1.attestations.count }
            let publishers = Set(fetched.provenance.attestationBundles.map(\.publisher.kind)).sorted().joined(separator: ", ")
            return (
                fetched,
                CheckResult(
                    .provenance, .pass,
                    "\(count) attestation(s) from \(fetched.url.redacted) (publisher \(publishers))")
            )
        } catch let error where error.code == .notFound {
            return (nil, CheckResult(.provenance, .fail, "\(CheckResult.noProvenancePrefix)\(file.filename): \(error.message)"))
        } catch {
            return (nil, CheckResult(.provenance, .error, error.message))
        }
    }

    /// The provenance kept when `file` (with this sha256) last verified online; nothing from the
    /// cache is trusted beyond its bytes, which are decoded and verified again like a fresh fetch.
    func cachedProvenance(for file: IndexFile, sha256: SHA256Hex?) -> (provenance: FetchedProvenance?, check: CheckResult) {
        guard let sha256, let entry = context.offlineCache.provenance(sha256Hex: sha256) else {
            return (nil, CheckResult(.provenance, .error, "offline: no cached provenance for \(file.filename); run once online"))
        }
        guard entry.filename == file.filename, entry.sha256 == sha256.text else {
            return (
                nil,
                CheckResult(
                    .provenance, .fail,
                    "the cached provenance for sha256 \(sha256) names \(entry.filename), not \(file.filename)")
            )
        }
        guard let bytes = entry.provenance, let url = URL(string: entry.fetchedFrom) else {
            return (nil, CheckResult(.provenance, .fail, "the cached provenance of \(file.filename) is corrupt"))
        }
        let provenance: Provenance
        do {
            provenance = try Provenance.decode(bytes)
        } catch {
            return (nil, CheckResult(.provenance, .fail, "the cached provenance of \(file.filename) is malformed: \(error.message)"))
        }
        let count = provenance.attestationBundles.reduce(0) { $0 + $1.attestations.count }
        return (
            FetchedProvenance(url: url, bytes: bytes, provenance: provenance),
            CheckResult(.provenance, .pass, "\(count) attestation(s) from the offline cache (fetched from \(url.redacted))")
        )
    }

    // MARK: [4/5] signature and statement

    public func evaluate(_ provenance: Provenance, filename: String, sha256: SHA256Hex) async -> [CheckResult] {
        let project = (try? DistributionFilename(parsing: filename)).map(\.name) ?? ProjectName(filename)
        let verdict = await provenanceVerifier(for: project).verify(provenance, distribution: filename, sha256Hex: sha256)
        return ProvenanceChecks.checks(for: verdict)
    }

    // MARK: [5/5] wheel contents and installed files

    /// Which cached wheels already had their members checked (beside the cache's wheels).
    public var contentsMemo: WheelContentsMemo { WheelContentsMemo(cacheRoot: context.cache.root) }

    /// Opens the cached wheel and checks that its members and its RECORD agree. With `memo` and
    /// the `sha256` of the bytes at `path`, a wheel found clean before is not inflated again, and a
    /// clean one is remembered (see ``WheelContentsMemo``).
    public static func openWheel(
        at path: String, filename: String? = nil, sha256: SHA256Hex? = nil,
        memo: WheelContentsMemo? = nil
    ) -> (wheel: Wheel?, check: CheckResult) {
        do {
            let wheel = try Wheel.open(path: path, filename: filename)
            // The same words either way: the report says what was verified, not how much of it
            // the cache spared (output must not depend on the cache's state).
            if let memo, let sha256, memo.isChecked(sha256Hex: sha256) {
                return (
                    wheel,
                    CheckResult(
                        .wheelContents, .pass,
                        "\(wheel.record.entries.count) RECORD entries, every member recorded and matching")
                )
            }
            let members = try wheel.checkMembers()
            if members.isClean {
                if let memo, let sha256 { memo.markChecked(sha256Hex: sha256) }
                return (
                    wheel,
                    CheckResult(
                        .wheelContents, .pass,
                        "\(wheel.record.entries.count) RECORD entries, every member recorded and matching")
                )
            }
            var problems: [String] = []
            if !members.unrecorded.isEmpty { problems.append("shipped but not in RECORD: " + members.unrecorded.joined(separator: ", ")) }
            if !members.missing.isEmpty { problems.append("in RECORD but not shipped: " + members.missing.joined(separator: ", ")) }
            if !members.mismatched.isEmpty { problems.append("differs from RECORD: " + members.mismatched.joined(separator: ", ")) }
            if !members.unsupportedHash.isEmpty { problems.append("unsupported hash: " + members.unsupportedHash.joined(separator: ", ")) }
            return (wheel, CheckResult(.wheelContents, .fail, problems.joined(separator: "; ")))
        } catch {
            return (nil, CheckResult(.wheelContents, .fail, "the wheel is malformed or cannot be read: \(error.message)"))
        }
    }

    /// Chooses among several candidate wheels the one whose RECORD agrees with the installed METADATA.
    func disambiguate(_ fetched: [FetchedWheel], installed: InstalledDistribution) -> FetchedWheel? {
        if fetched.count == 1 { return fetched.first }
        let metadataDigest = FileDigest.compute(installed.coreMetadataBytes, algorithm: .sha256)
        return fetched.first { candidate in
            guard let wheel = try? Wheel.open(path: candidate.path, filename: candidate.file.filename),
                let entry = wheel.record.entry(for: wheel.distInfoDirectory + "/METADATA"),
                case .digest(let digest) = entry.hash
            else { return false }
            return digest.algorithm == .sha256
                ? digest == metadataDigest
                : digest == FileDigest.compute(installed.coreMetadataBytes, algorithm: digest.algorithm)
        }
    }

    /// Steps 1 and 2: the installed distribution's wheel located on the index and in the cache.
    /// Returns the report so far and the wheel when one was found and downloaded.
    /// `located`: what ``locate(_:)`` already found for it (not looked up again).
    public func locateAndFetch(
        _ installed: InstalledDistribution, located: (candidates: [IndexFile], check: CheckResult)? = nil
    ) async -> (report: PackageReport, wheel: FetchedWheel?) {
        var report = PackageReport(name: installed.name.raw, version: installed.rawVersion)
        report.checks.append(Self.installedCheck(installed))
        let (candidates, locateCheck): ([IndexFile], CheckResult)
        if let located { (candidates, locateCheck) = located } else { (candidates, locateCheck) = await locate(installed) }
        report.checks.append(locateCheck)
        guard !candidates.isEmpty else { return (report, nil) }

        var fetched: [FetchedWheel] = []
        for candidate in candidates {
            switch await fetchWheel(candidate) {
            case .fetched(let wheel):
                fetched.append(wheel)
            case .failed(let checks):
                report.checks.append(contentsOf: checks)
                return (report, nil)
            }
        }
        guard let chosen = disambiguate(fetched, installed: installed) else {
            report.checks.append(
                CheckResult(
                    .indexFile, .fail,
                    "none of \(candidates.map(\.filename).joined(separator: ", ")) has the installed METADATA"))
            return (report, nil)
        }
        report.wheel = chosen.file.filename
        report.sha256 = chosen.sha256.text
        report.checks.append(contentsOf: chosen.checks)
        return (report, chosen)
    }

    /// Steps 3 and 4 for a wheel on the index: its provenance fetched and evaluated.
    public func provenanceChecks(for wheel: FetchedWheel, installed: InstalledDistribution) async -> [CheckResult] {
        await provenance(for: wheel, installed: installed).checks
    }

    /// Steps 3 and 4 for a file of `project` at `version`, installed or not.
    public func provenanceChecks(for wheel: FetchedWheel, project: ProjectName, version: String) async -> [CheckResult] {
        await provenance(for: wheel, project: project, version: version).checks
    }

    /// Steps 3 and 4 with the verdict: `isVerified` is ``ProvenanceVerdict/isVerified`` of the
    /// provenance fetched (false when none could be fetched or decoded); `signer` who signed the
    /// decisive attestation (nil when none verified).
    public func provenance(
        for wheel: FetchedWheel, installed: InstalledDistribution
    ) async
        -> (checks: [CheckResult], isVerified: Bool, signer: SignerIdentity?)
    {
        await provenance(for: wheel, project: installed.name, version: installed.rawVersion)
    }

    /// Steps 3 and 4 for a wheel (or sdist) of `project` at `version` on the index, installed or not.
    public func provenance(
        for wheel: FetchedWheel, project: ProjectName, version: String
    ) async
        -> (checks: [CheckResult], isVerified: Bool, signer: SignerIdentity?)
    {
        let outcome = await provenanceWithDocument(for: wheel, project: project, version: version)
        return (outcome.checks, outcome.isVerified, outcome.signer)
    }

    /// ``provenance(for:project:version:)`` and `document`: the digest of the provenance bytes as
    /// received (nil when none were), for the report (a Verification Summary's `inputAttestations`);
    /// `build`: what a verified `wheeltrust build` statement says the wheel was built from.
    public func provenanceWithDocument(
        for wheel: FetchedWheel, project: ProjectName, version: String
    ) async
        -> (
            checks: [CheckResult], isVerified: Bool, signer: SignerIdentity?, document: ProvenanceDocumentDigest?,
            build: SourceBuildFacts?
        )
    {
        let (provenance, check) =
            context.offline
            ? cachedProvenance(for: wheel.file, sha256: wheel.sha256)
            : await fetchProvenance(for: wheel.file, project: project, version: version)
        guard let provenance else { return ([check], false, nil, nil, nil) }
        let verdict = await provenanceVerifier(for: project, servedBy: wheel.file.servedBy).verify(
            provenance.provenance, distribution: wheel.file.filename,
            sha256Hex: wheel.sha256)
        let checks = ProvenanceChecks.checks(for: verdict)
        if verdict.isVerified && !context.offline {
            // Keep what re-verification needs; a cache that cannot be written only costs the offline mode.
            try? context.offlineCache.storeProvenance(
                CachedProvenance(
                    filename: wheel.file.filename, sha256: wheel.sha256.text, projectName: project.normalized,
                    version: version, provenance: provenance.bytes, fetchedFrom: provenance.url))
        }
        let document = ProvenanceDocumentDigest(provenance, decisivePredicateType: verdict.decisive?.statement?.predicateType)
        let build = verdict.decisive?.statement.flatMap(SourceBuildFacts.init(statement:))
        return ([check] + checks, verdict.isVerified, verdict.decisive?.signature.identity, document, build)
    }

    /// The wheel of `installed` when it is proven: found on the index, downloaded, its provenance
    /// verified and its members consistent with its RECORD; nil otherwise (with the checks that
    /// say why). Used to decide whether a distribution's RECORD may own a file another package's
    /// directory holds; its installed files are not checked here.
    public func provenWheel(of installed: InstalledDistribution) async -> (wheel: Wheel?, checks: [CheckResult]) {
        let (decision, located) = await ruleDecision(for: installed)
        if let decision, decision.selection.rule?.requirement != .provenance && decision.selection.rule?.requirement != .integrity {
            // No rule, or a waiver: nothing about this distribution is proven.
            return (nil, decision.check.map { [$0] } ?? [])
        }
        let (report, fetched) = await locateAndFetch(installed, located: located)
        guard let fetched else { return (nil, report.checks) }
        let checks: [CheckResult]
        if decision?.selection.rule?.requirement == .integrity {
            // Its rule takes the index's wheel at its published sha256 as the reference.
            let hash = Self.integrityHashCheck(fetched.checks)
            guard hash.status == .pass else { return (nil, report.checks + [hash]) }
            checks = [hash]
        } else {
            let (provenanceChecks, verified, _) = await provenance(for: fetched, installed: installed)
            guard verified else { return (nil, report.checks + provenanceChecks) }
            checks = provenanceChecks
        }
        let (wheel, contents) = Self.openWheel(
            at: fetched.path, filename: fetched.file.filename, sha256: fetched.sha256,
            memo: contentsMemo)
        guard contents.status == .pass else { return (nil, report.checks + checks + [contents]) }
        return (wheel, report.checks + checks + [contents])
    }

    /// Step 5: the wheel's own consistency and the installed files against its RECORD.
    /// `sha256` (of the bytes at `path`) lets a wheel whose members were checked before skip that check.
    public func installedChecks(
        wheelAt path: String, filename: String? = nil, sha256: SHA256Hex? = nil,
        installed: InstalledDistribution, files verifier: InstalledFilesVerifier,
        claims: PathClaims = PathClaims(), into report: inout PackageReport
    ) async -> InstalledFilesVerifier.Outcome? {
        let (wheel, contentsCheck) = Self.openWheel(at: path, filename: filename, sha256: sha256, memo: contentsMemo)
        report.checks.append(contentsCheck)
        guard let wheel else { return nil }
        let outcome = await verifier.verify(wheel: wheel, installed: installed, claims: claims)
        report.checks.append(contentsOf: outcome.checks)
        report.files = outcome.findings
        report.fileLines = outcome.lines
        return outcome
    }

    /// Every step for one installed distribution.
    public func verify(
        _ installed: InstalledDistribution, files verifier: InstalledFilesVerifier,
        claims: PathClaims
    ) async -> (report: PackageReport, outcome: InstalledFilesVerifier.Outcome?) {
        let (decision, located) = await ruleDecision(for: installed)
        if let decision {
            switch decision.selection.rule?.requirement {
            case nil, .none?:
                // No rule (fails), or a waiver: nothing else is looked at.
                return (decidedOnly(installed, decision), nil)
            case .integrity?:
                return await verifyIntegrity(installed, decision: decision, located: located, files: verifier, claims: claims)
            case .provenance?:
                break
            }
        }
        var (report, fetched) = await locateAndFetch(installed, located: located)
        if let decision { apply(decision, to: &report) }
        guard let fetched else { return (report, nil) }
        let (checks, verified, signer, document, build) = await provenanceWithDocument(
            for: fetched, project: installed.name, version: installed.rawVersion)
        report.checks.append(contentsOf: checks)
        report.signer = signer
        report.build = build
        if let decision, let rule = decision.selection.rule, let signer, verified, let policy = context.policy {
            report.proof = policy.proof(of: signer, rule: rule)
        }
        report.provenanceDocument = document
        guard verified else {
            // The wheel is not proven: its contents are not read further (a hostile wheel costs
            // nothing beyond what the report needs), and the package has already failed.
            report.checks.append(CheckResult(.wheelContents, .skip, "not read: the wheel's provenance did not verify"))
            return (report, nil)
        }
        let outcome = await installedChecks(
            wheelAt: fetched.path, filename: fetched.file.filename, sha256: fetched.sha256,
            installed: installed, files: verifier, claims: claims, into: &report)
        return (report, outcome)
    }

    /// Steps 4 and 5a offline: a local wheel file checked against a provenance file (an sdist:
    /// step 4 only, it has no RECORD).
    public static func verifyLocalWheel(at path: String, provenance: Provenance, verifier: ProvenanceVerifier) async -> PackageReport {
        let filename = String(path.split(separator: "/").last ?? Substring(path))
        var report = PackageReport(name: filename, version: "", wheel: filename)
        do {
            let sha256 = try SHA256Hex(FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest)
            report.sha256 = sha256.text
            report.checks.append(CheckResult(.download, .pass, "\(filename) sha256 \(sha256) (local file)"))
            let verdict = await verifier.verify(provenance, distribution: filename, sha256Hex: sha256)
            report.checks.append(contentsOf: ProvenanceChecks.checks(for: verdict))
            report.signer = verdict.decisive?.signature.identity
            report.build = verdict.decisive?.statement.flatMap(SourceBuildFacts.init(statement:))
            // An sdist has no RECORD: steps 1–4 only.
            if (try? SdistFilename(parsing: filename)) == nil { report.checks.append(openWheel(at: path).check) }
        } catch {
            report.checks.append(CheckResult(.download, .error, error.message))
        }
        return report
    }
}
