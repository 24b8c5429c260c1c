import Foundation
import Hummingbird

/// Answers a request for a missing file with the site's `404.html` (status 404), so a
/// mistyped link shows a page that leads back to the index.
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
        guard let data = try? Data(contentsOf: page) else { return nil }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLength] = String(data.count)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        return Response(status: .notFound, headers: headers, body: body)
    }
}
