import Foundation

/// Walks a generated site and returns every broken internal link, every absolute one and
/// every external reference (the site must work offline, from `file://` and under any
/// sub-path of a web server).
public enum LinkChecker {
    public static func problems(in site: URL) throws -> [String] {
        let root = site.standardizedFileURL.path
        var problems: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        let pattern = try NSRegularExpression(pattern: #"(?:href|src)="([^"]*)""#)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".html") else { continue }
            let file = URL(fileURLWithPath: root).appendingPathComponent(relative)
            let html = try String(contentsOf: file, encoding: .utf8)
            let range = NSRange(html.startIndex..., in: html)
            for match in pattern.matches(in: html, range: range) {
                guard let linkRange = Range(match.range(at: 1), in: html) else { continue }
                let link = String(html[linkRange])
                if link.hasPrefix("#") { continue }
                if link.contains("://") || link.hasPrefix("//") || link.hasPrefix("data:") || link.hasPrefix("javascript:") {
                    problems.append("\(relative): external or scripted reference \(link)")
                    continue
                }
                if link.hasPrefix("/") {
                    problems.append("\(relative): absolute link \(link)")
                    continue
                }
                var path =
                    link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
                    .removingPercentEncoding ?? ""
                if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
                let target = file.deletingLastPathComponent().appendingPathComponent(path).standardizedFileURL.path
                if !target.hasPrefix(root + "/") {
                    problems.append("\(relative): \(link) leaves the site")
                } else if !FileManager.default.fileExists(atPath: target) {
                    problems.append("\(relative): broken link \(link)")
                }
            }
        }
        return problems.sorted()
    }
}
