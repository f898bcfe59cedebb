import Foundation
// swift-tools-version:6.1
//
// wheeltrust: proves that the Python code on a machine is the code a trusted builder built and signed.
//
// Targets depend only downward:
//   PythonPackaging ← Attestations ← {Sigstore, TUF} ← PackageIndex ← Verification ← wheeltrust (CLI)
//   Policy (the trust policy file: rules per index and project) sits on Attestations + Sigstore;
//   Verification uses it.
//   Attestations: PEP 740, DSSE, keys, statements, key-signed verification, signing (Attester).
//   Sigstore (keyless: chain, SCT, log, timestamps, bundles, identities) and TUF (trust update)
//   sit side by side on Attestations. Lock (verify before install) and Building (build from
//   source) sit on Verification. Publishing (the trusted index's store, tokens and upload door:
//   GRDB, Policy) sits below IndexServer (serve, uploads, static export), beside Verification.
//
// Dependencies, chosen deliberately:
// - swift-crypto (+ _CryptoExtras): SHA-2, ECDSA, Ed25519, RSA PKCS#1 v1.5 / PSS (BoringSSL underneath).
// - swift-asn1: DER parsing of SubjectPublicKeyInfo (Ed25519, PKCS#1 RSA keys).
// - swift-certificates: X.509 for Sigstore keyless (Fulcio chains).
// - swift-argument-parser: the command line.
// - hummingbird: the `serve` index (HTTP/1.1 on NIO).
// - zlib (system library): raw inflate for our own bounded zip reader (ZIPFoundation hangs on
//   truncated streams and does not enforce declared sizes).
// - TOMLKit (toml++ underneath): the policy file and PEP 751 lock files are TOML; a maintained,
//   spec-complete parser rather than one of our own.
// - async-http-client (+ NIOSSL): the index client. It verifies TLS against exactly the CA bundle
//   pip is configured with (`cert`), which Foundation's URLSession cannot do on Linux.
// - GRDB (SQLite, the system's libsqlite3 underneath): the publishing store's database (WAL,
//   migrations, transactions), a maintained library rather than raw SQLite calls.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "wheeltrust",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wheeltrust", targets: ["wheeltrust"]),
        .library(name: "PythonPackaging", targets: ["PythonPackaging"]),
        .library(name: "Attestations", targets: ["Attestations"]),
        .library(name: "Sigstore", targets: ["Sigstore"]),
        .library(name: "TUF", targets: ["TUF"]),
        .library(name: "PackageIndex", targets: ["PackageIndex"]),
        .library(name: "Policy", targets: ["Policy"]),
        .library(name: "Verification", targets: ["Verification"]),
        .library(name: "Publishing", targets: ["Publishing"]),
        .library(name: "IndexServer", targets: ["IndexServer"]),
        .library(name: "Lock", targets: ["Lock"]),
        .library(name: "Building", targets: ["Building"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // Already in the graph through Hummingbird; declared because IndexServer imports them.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Declared because PackageIndex builds NIOSSL trust roots from pip's `cert` bundle.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        // The trust policy file (TOML): a maintained parser (toml++ underneath), not a hand parser.
        .package(url: "https://github.com/LebJe/TOMLKit.git", exact: "0.6.0"),
        // The publishing store's database (needs the system's SQLite headers: libsqlite3-dev).
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        // Uploads (the legacy upload API's multipart/form-data): a maintained, incremental parser
        // that hands each part's bytes over as they arrive, so a file streams to disk.
        .package(url: "https://github.com/vapor/multipart-kit.git", exact: "4.7.1"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .target(
            name: "PythonPackaging",
            dependencies: [
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Attestations",
            dependencies: [
                "PythonPackaging",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "Sigstore",
            dependencies: [
                "Attestations",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "TUF",
            dependencies: [
                "Attestations",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "PackageIndex",
            dependencies: [
                "Attestations", "TUF", "PythonPackaging",
                // HMAC for the cache's hash stamps (CacheStampKey).
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // uv's configuration (`uv.toml`) is TOML, read with the same parser as the policy file.
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Policy",
            dependencies: [
                "Attestations", "Sigstore", "PythonPackaging",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Verification",
            dependencies: ["PackageIndex", "Policy", "Sigstore", "TUF", "Attestations", "PythonPackaging"],
            swiftSettings: strict
        ),
        // The publishing store (content-addressed blobs + SQLite metadata, tokens) and the door
        // check of uploads: below IndexServer, which serves and accepts through it.
        .target(
            name: "Publishing",
            dependencies: [
                "Attestations", "PythonPackaging", "Policy", "Sigstore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "IndexServer",
            dependencies: [
                "Publishing", "Policy", "Attestations", "PythonPackaging",
                .product(name: "MultipartKit", package: "multipart-kit"),
                // The reason phrase of refused uploads is set next to NIO's HTTP/1 encoder.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // Files are streamed one chunk at a time (FileStreaming), not through FileIO.
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                // ...through a blocking pool of FileStreaming's own (NIOThreadPool).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // PEP 751 lock files and wheelhouses verified before anything is installed: sits on
        // Verification (the pipeline's steps), below the command line.
        .target(
            name: "Lock",
            dependencies: [
                "Verification", "Policy", "PackageIndex", "Attestations", "PythonPackaging",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        // `wheeltrust build`: an sdist built into a wheel by its own PEP 517 backend in a fresh,
        // network-isolated venv, with a signed SLSA v1 provenance; uses Verification to anchor the sdist.
        .target(
            name: "Building",
            dependencies: [
                "Verification", "PackageIndex", "Attestations", "PythonPackaging",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "wheeltrust",
            dependencies: [
                "Verification", "Policy", "Lock", "Building", "IndexServer", "Publishing", "Sigstore", "TUF", "Attestations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "PythonPackagingTests", dependencies: ["PythonPackaging", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AttestationsTests", dependencies: ["Attestations", "TestSupport", "AttestationsTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "SigstoreTests", dependencies: ["Sigstore", "Attestations", "TestSupport", "AttestationsTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "TUFTests", dependencies: ["TUF", "Sigstore", "Attestations", "TestSupport", "AttestationsTestSupport"],
            resources: [.copy("Fixtures")]),
        // Shared by the three test targets above: mutations of JSON/DER documents, small helpers; not a product.
        .target(
            name: "AttestationsTestSupport",
            dependencies: ["Attestations", "TestSupport"],
            path: "Tests/AttestationsTestSupport"
        ),
        // Shared test support (a CA made in the test for TLS servers); not a product.
        .target(
            name: "TestSupport",
            dependencies: [
                "PythonPackaging",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "PackageIndexTests",
            dependencies: [
                "PackageIndex", "PythonPackaging", "TUF", "Sigstore", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PolicyTests", dependencies: ["Policy", "Attestations", "Sigstore", "PythonPackaging", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "BuildingTests",
            dependencies: ["Building", "Verification", "IndexServer", "PackageIndex", "Attestations", "PythonPackaging", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "LockTests", dependencies: ["Lock", "Verification", "PythonPackaging", "Attestations", "TestSupport"]),
        .testTarget(
            name: "IndexServerTests",
            dependencies: [
                "IndexServer", "Publishing", "Policy", "PackageIndex", "Sigstore", "Attestations", "PythonPackaging", "TestSupport",
            ]),
        .testTarget(
            name: "PublishingTests", dependencies: ["Publishing", "Policy", "Attestations", "PythonPackaging", "TestSupport"]),
        .testTarget(
            name: "VerificationTests",
            dependencies: [
                "Verification", "Lock", "IndexServer", "Publishing", "Sigstore", "TUF", "Attestations", "PythonPackaging", "TestSupport",
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)

// Fuzzing (scripts/fuzz.sh, README "Fuzzing"). The fuzz bodies in Tests/FuzzCorpusTests are a
// test target that replays the committed corpus (Fuzz/Corpus) in `swift test`; with
// WHEELTRUST_FUZZ=1 the same sources become the library of the libFuzzer executable instead,
// which a normal `swift build` must never see (libFuzzer supplies its `main`).
let fuzzBodyDependencies: [Target.Dependency] = [
    "PythonPackaging", "Attestations", "Sigstore", "TUF", "PackageIndex", "Verification", "IndexServer",
    .product(name: "X509", package: "swift-certificates"),
]
if ProcessInfo.processInfo.environment["WHEELTRUST_FUZZ"] == "1" {
    package.targets += [
        .target(
            name: "FuzzBodies", dependencies: fuzzBodyDependencies, path: "Tests/FuzzCorpusTests",
            exclude: ["CorpusReplayTests.swift"], swiftSettings: strict),
        .executableTarget(
            name: "WheeltrustFuzz", dependencies: ["FuzzBodies"], path: "Fuzz/Main",
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]),
    ]
    package.products.append(.executable(name: "WheeltrustFuzz", targets: ["WheeltrustFuzz"]))
} else {
    package.targets.append(
        .testTarget(
            name: "FuzzCorpusTests", dependencies: fuzzBodyDependencies,
            path: "Tests/FuzzCorpusTests", swiftSettings: strict))
}
