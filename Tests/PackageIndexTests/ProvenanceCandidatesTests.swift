import Foundation
import PythonPackaging
import Testing

@testable import PackageIndex

@Suite struct ProvenanceCandidatesTests {
    let wheel = "pyyaml-6.0.3-0-cp312-cp312-manylinux2014_x86_64.whl"

    @Test func advertisedThenApiThenPulpThenPyPI() throws {
        let advertised = URL(string: "https://idx.example/pypi/dom/main/integrity/pyyaml/6.0.3/\(wheel)/provenance/")
        let index = try #require(URL(string: "https://u:p@idx.example/pypi/dom/main/simple/"))
        let urls = IndexClient.provenanceCandidates(
            advertised: advertised, indexURL: index, project: ProjectName("PyYAML"),
            version: "6.0.3", filename: wheel
        ).map(\.absoluteString)
        #expect(
            urls == [
                "https://idx.example/pypi/dom/main/integrity/pyyaml/6.0.3/\(wheel)/provenance/",
                "https://idx.example/api/pypi/dom/main/integrity/pyyaml/6.0.3/\(wheel)/provenance/",
                "https://idx.example/integrity/pyyaml/6.0.3/\(wheel)/provenance",
            ])
    }

    @Test func pulpIndexWithApiPrefix() throws {
        let index = try #require(URL(string: "https://idx.example:8443/api/pypi/dom/main/simple/"))
        let urls = IndexClient.provenanceCandidates(
            advertised: nil, indexURL: index, project: ProjectName("My_Pkg"),
            version: "1.0+local", filename: "my_pkg-1.0+local-py3-none-any.whl"
        )
        .map(\.absoluteString)
        #expect(
            urls == [
                "https://idx.example:8443/api/pypi/dom/main/integrity/my-pkg/1.0+local/my_pkg-1.0+local-py3-none-any.whl/provenance/",
                "https://idx.example:8443/integrity/my-pkg/1.0+local/my_pkg-1.0+local-py3-none-any.whl/provenance",
            ])
    }

    @Test func plainSimpleIndexAndNonSimpleIndex() throws {
        let plain = try #require(URL(string: "http://127.0.0.1:8080/simple"))
        #expect(
            IndexClient.provenanceCandidates(
                advertised: nil, indexURL: plain, project: ProjectName("a"), version: "1",
                filename: "a-1.tar.gz"
            ).map(\.absoluteString) == [
                "http://127.0.0.1:8080/integrity/a/1/a-1.tar.gz/provenance/",
                "http://127.0.0.1:8080/integrity/a/1/a-1.tar.gz/provenance",
            ])
        let gateway = try #require(URL(string: "https://idx.example/trusted-libraries/python"))
        let advertised = URL(string: "https://idx.example/api/pypi/d/main/integrity/a/1/a-1.tar.gz/provenance/")
        #expect(
            IndexClient.provenanceCandidates(
                advertised: advertised, indexURL: gateway, project: ProjectName("a"), version: "1",
                filename: "a-1.tar.gz"
            ).map(\.absoluteString) == [
                "https://idx.example/api/pypi/d/main/integrity/a/1/a-1.tar.gz/provenance/",
                "https://idx.example/integrity/a/1/a-1.tar.gz/provenance",
            ])
    }

    @Test func hostileSegmentsAreEncoded() throws {
        let index = try #require(URL(string: "https://idx.example/simple/"))
        let urls = IndexClient.provenanceCandidates(
            advertised: nil, indexURL: index, project: ProjectName("a"),
            version: "1/../../x?y#z", filename: "a b.whl")
        for url in urls {
            #expect(url.host == "idx.example")
            #expect(url.query == nil && url.fragment == nil)
            #expect(!url.absoluteString.contains("/../"))
        }
    }
}
