import FactoryBenchCore
import FactoryBenchTemplates
import Foundation
import Mustache

/// The report and site templates: the built-in ones, or those of a `--templates` directory
/// where it has a file of the same name.
public struct TemplateSet: Sendable {
    public static let names = [
        "report.md.mustache", "index.md.mustache", "comparison.md.mustache", "trend.md.mustache", "sweep.md.mustache",
        "page.html.mustache",
    ]
    private let library: MustacheLibrary
    public let stylesheet: String
    /// A hash of every template's text: pages rendered with other templates are stale.
    public let fingerprint: String

    public static let builtIn: TemplateSet = {
        // The built-in templates are tested; failing to parse them is a build defect.
        guard let set = try? TemplateSet(files: DefaultTemplates.files) else {
            preconditionFailure("the built-in templates do not parse")
        }
        return set
    }()

    init(files: [String: String]) throws {
        var library = MustacheLibrary()
        for name in Self.names {
            guard let text = files[name] else { throw RenderingError.missingTemplate(name: name) }
            do {
                library.register(try MustacheTemplate(string: text), named: name)
            } catch {
                throw RenderingError.badTemplate(name: name, reason: "\(error)")
            }
        }
        self.library = library
        self.stylesheet = files["style.css"] ?? ""
        // FNV-1a over the names and texts, in name order.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for name in files.keys.sorted() {
            for byte in name.utf8 + [0] + (files[name] ?? "").utf8 + [0] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        }
        fingerprint = String(hash, radix: 16)
    }

    /// The built-in templates with any file of `directory` that has a template's name
    /// taking its place.
    public static func load(overrides directory: URL?) throws -> TemplateSet {
        guard let directory else { return builtIn }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RenderingError.templatesDirectoryMissing(path: directory.path)
        }
        var files = DefaultTemplates.files
        for name in files.keys {
            let url = directory.appendingPathComponent(name)
            if let text = try? String(contentsOf: url, encoding: .utf8) { files[name] = text }
        }
        return try TemplateSet(files: files)
    }

    func render(_ object: Any, template name: String) throws -> String {
        guard let text = library.render(object, withTemplate: name) else {
            throw RenderingError.missingTemplate(name: name)
        }
        return text
    }
}

/// Why a report or a site page could not be rendered: templates given with `--templates`
/// that are missing or do not parse, which is bad input (exit code 2).
public enum RenderingError: LocalizedError, Equatable, InputError {
    case missingTemplate(name: String)
    case badTemplate(name: String, reason: String)
    case templatesDirectoryMissing(path: String)

    public var errorDescription: String? {
        switch self {
        case .missingTemplate(let name):
            return "template '\(name)' is missing"
        case .badTemplate(let name, let reason):
            return "template '\(name)' does not parse: \(reason); fix the template or remove it to use the built-in one"
        case .templatesDirectoryMissing(let path):
            return "templates directory '\(path)' does not exist; pass a directory holding *.mustache files"
        }
    }
}
