/// The default report and site templates, compiled into the binary so that it works from
/// any directory; `--templates DIR` replaces them file by file.
public enum DefaultTemplates {
    /// Template file name → contents.
    public static let files: [String: String] = [
        "report.md.mustache": String(decoding: PackageResources.report_md_mustache, as: UTF8.self),
        "index.md.mustache": String(decoding: PackageResources.index_md_mustache, as: UTF8.self),
        "comparison.md.mustache": String(decoding: PackageResources.comparison_md_mustache, as: UTF8.self),
        "trend.md.mustache": String(decoding: PackageResources.trend_md_mustache, as: UTF8.self),
        "sweep.md.mustache": String(decoding: PackageResources.sweep_md_mustache, as: UTF8.self),
        "page.html.mustache": String(decoding: PackageResources.page_html_mustache, as: UTF8.self),
        "style.css": String(decoding: PackageResources.style_css, as: UTF8.self),
    ]
}
