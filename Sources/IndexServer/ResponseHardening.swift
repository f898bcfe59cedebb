import Hummingbird

/// Headers every response of the index carries, so that nothing it serves can run in a browser.
///
/// Guarantees: `apply(to:)` sets `X-Content-Type-Options: nosniff` (a browser uses the declared
/// `Content-Type` and never sniffs HTML out of a `text/plain`, JSON or file body) and
/// `Content-Security-Policy: default-src 'none'; base-uri 'none'; form-action 'none';
/// frame-ancestors 'none'` (a page may link, nothing else: no script, style, image, frame or
/// form, even if markup were ever injected). Existing values are replaced, never appended to.
enum ResponseHardening {
    static let contentSecurityPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static func apply(to response: Response) -> Response {
        var response = response
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        return response
    }
}
