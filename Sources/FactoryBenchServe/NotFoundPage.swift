import Foundation
import Hummingbird

/// Answers a request for a missing file with the site's `404.html` (status 404), so a
/// mistyped link shows a page that leads back to the index. The page links relatively, as
/// if it stood at the site's root; since it answers at any depth, it is served with a
/// `<base>` that leads from the request's folder back to that root.
struct NotFoundPage<Context: RequestContext>: RouterMiddleware {
    let page: URL

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            let response = try await next(request, context)
            guard response.status == .notFound else { return response }
            return notFound(for: request) ?? response
        } catch let error as HTTPError where error.status == .notFound {
            guard let response = notFound(for: request) else { throw error }
            return response
        }
    }

    private func notFound(for request: Request) -> Response? {
        guard var data = try? Data(contentsOf: page) else { return nil }
        if let head = data.firstRange(of: Data("<head>".utf8)) {
            let depth = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).count
            let root = depth <= 1 ? "./" : String(repeating: "../", count: depth - 1)
            data.insert(contentsOf: Data("\n<base href=\"\(root)\">".utf8), at: head.upperBound)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLength] = String(data.count)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: .notFound, headers: headers, body: body)
    }
}
