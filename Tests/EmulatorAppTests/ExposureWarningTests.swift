import EmulatorApp
import Testing

@Suite struct ExposureWarningTests {
    @Test(arguments: ["127.0.0.1", "127.0.0.2", "localhost", "LOCALHOST", "::1", "[::1]", "::ffff:127.0.0.1"])
    func loopbackHostsAreQuiet(host: String) {
        var options = EmulatorOptions()
        options.host = host
        #expect(EmulatorOptions.isLoopback(host: host))
        #expect(options.exposureWarning == nil)
    }

    @Test(arguments: ["0.0.0.0", "::", "198.51.100.20", "203.0.113.1", "my-laptop.local", "128.0.0.1", "127.0.0"])
    func otherHostsWarnWhatTheyExpose(host: String) throws {
        var options = EmulatorOptions()
        options.host = host
        #expect(!EmulatorOptions.isLoopback(host: host))
        let warning = try #require(options.exposureWarning)
        #expect(warning.hasPrefix("WARNING: --host \(host) is not a loopback address."))
        #expect(warning.contains("every emulated service"))
        #expect(warning.contains("/_local/"))
        #expect(warning.contains("as the account administrator (start with --strict-credentials to refuse them)"))
        options.strictCredentials = true
        #expect(options.exposureWarning?.contains("refused here: --strict-credentials is on") == true)
    }

    @Test func idleTimeoutBecomesTheGuardsLimitWithoutTrapping() {
        var options = EmulatorOptions()
        options.idleTimeoutSeconds = 1.5
        #expect(options.framingLimits.idleTimeout.nanoseconds == 1_500_000_000)
        options.idleTimeoutSeconds = .infinity
        #expect(options.framingLimits.idleTimeout.nanoseconds == 60_000_000_000)
        options.idleTimeoutSeconds = 1e300
        #expect(options.framingLimits.idleTimeout.nanoseconds == 86_400_000_000_000)
    }
}
