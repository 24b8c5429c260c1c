import ArgumentParser
import FactoryBenchCore
import Foundation

/// Options shared by the commands that read or write a workspace.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .customLong("workspace"), help: "Directory holding results/, reports/ and site/.")
    var root: String = "."

    @Option(help: "Directory the website is written to (default: <workspace>/site).")
    var siteDir: String?

    @Option(help: "Directory of replacement templates (*.mustache, style.css).")
    var templates: String?

    var workspace: Workspace {
        let rootURL = URL(fileURLWithPath: root, isDirectory: true).standardizedFileURL
        return Workspace(
            root: rootURL,
            siteDirectory: siteDir.map { URL(fileURLWithPath: $0, relativeTo: rootURL).standardizedFileURL })
    }

    var templatesDirectory: URL? { templates.map { URL(fileURLWithPath: $0, isDirectory: true) } }
}
