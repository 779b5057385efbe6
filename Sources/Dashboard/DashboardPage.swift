/// The browser dashboard served at `/_local/ui`: one self-contained HTML page (styles and script inline, no CDN, no
/// build step) compiled into the binary from `Assets/dashboard.html`.
///
/// The page is a client of the emulator's own APIs: it signs AWS requests with SigV4 in the browser (Web Crypto,
/// the administrator's `test` keys unless changed in the page's local storage) and reads the `/_local` endpoints on
/// the same origin, so it shows exactly what an SDK would see and obeys the admin API's cross-site rules.
package enum DashboardPage {
    /// The page's bytes.
    package static var html: [UInt8] { PackageResources.dashboard_html }

    /// The response headers the page is served with: no caching, no framing by other sites, and a content security
    /// policy that lets it talk to its own origin only.
    package static let headers: [(name: String, value: String)] = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                + "img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        ),
    ]
}
