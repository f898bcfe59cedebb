import ArgumentParser
import Foundation
import IndexServer
import Publishing

/// `wheeltrust export --store DIR --out SITE`: the store as a static site.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a publishing store as static files that any web server, object store or CDN can serve.",
        discussion: """
            SITE/simple/ is the index (HTML pages, and index.json beside each for servers that \
            negotiate PEP 691), SITE/files/ the files and their PEP 658 metadata, \
            SITE/integrity/<project>/<version>/<file>/provenance the PEP 740 provenance. Links are \
            relative: serve SITE at any URL and give pip <that URL>/simple/. Incremental: only \
            projects changed since the last export are rewritten; every file is replaced atomically.
            """)

    @OptionGroup var location: StoreLocationOptions

    @Option(help: ArgumentHelp("The site folder to write.", valueName: "dir"))
    var out: String

    func run() throws {
        let store = try location.open(creating: false)
        let report: StaticExportReport
        do {
            report = try StaticExport(store: store, output: URL(fileURLWithPath: out)).run()
        } catch {
            throw fail("\(error.message)", code: Exit.incomplete)
        }
        for path in report.written { emit("wrote \(path)\n") }
        for path in report.removed { emit("removed \(path)\n") }
        emit("\(report.projectsExported.count) project(s) exported, \(report.projectsRemoved.count) removed; ")
        emit("\(report.written.count) file(s) written, \(report.removed.count) removed\n")
        emit("The simple index is at path \(report.simplePath) of the site \(out)\n")
    }
}
