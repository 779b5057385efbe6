import CloudFormation
import EmulatorCore
import Foundation
import Testing

@testable import LogsService

@Suite("CloudWatch Logs filter patterns")
struct FilterPatternTests {
    @Test(
        "unstructured terms, phrases, exclusions and optional terms",
        arguments: [
            ("", "anything", true),
            ("ERROR", "an ERROR here", true),
            ("ERROR", "an error here", false),
            ("ERROR timeout", "ERROR: timeout after 3s", true),
            ("ERROR timeout", "ERROR: refused", false),
            ("\"Task timed out\"", "2026 Task timed out after 3.00 seconds", true),
            ("\"Task timed out\"", "Task was timed out", false),
            ("ERROR -retry", "ERROR will retry", false),
            ("ERROR -retry", "ERROR fatal", true),
            ("?ERROR ?WARN", "WARN disk", true),
            ("?ERROR ?WARN", "INFO disk", false),
            ("START -END", "START RequestId: 1 Version: $LATEST", true),
        ]
    )
    func terms(pattern: String, message: String, expected: Bool) throws {
        #expect(try FilterPattern(pattern).matches(message) == expected)
    }

    @Test(
        "JSON patterns",
        arguments: [
            ("{ $.level = \"ERROR\" }", #"{"level": "ERROR"}"#, true),
            ("{ $.level = \"ERROR\" }", #"{"level": "INFO"}"#, false),
            ("{ $.level = ERR* }", #"{"level": "ERROR"}"#, true),
            ("{ $.level != \"ERROR\" }", #"{"level": "INFO"}"#, true),
            ("{ $.latency > 100 }", #"{"latency": 250}"#, true),
            ("{ $.latency > 100 }", #"{"latency": 50}"#, false),
            ("{ $.a.b[1] = 2 }", #"{"a": {"b": [1, 2]}}"#, true),
            ("{ $.ok IS TRUE }", #"{"ok": true}"#, true),
            ("{ $.ok IS FALSE }", #"{"ok": true}"#, false),
            ("{ $.gone IS NULL }", #"{"gone": null}"#, true),
            ("{ $.x EXISTS }", #"{"x": 1}"#, true),
            ("{ $.x NOT EXISTS }", #"{"x": 1}"#, false),
            ("{ ($.a = 1 || $.b = 2) && $.c = \"z\" }", #"{"b": 2, "c": "z"}"#, true),
            ("{ ($.a = 1 || $.b = 2) && $.c = \"z\" }", #"{"b": 3, "c": "z"}"#, false),
            ("{ $.level = \"ERROR\" }", "not json at all", false),
        ]
    )
    func json(pattern: String, message: String, expected: Bool) throws {
        #expect(try FilterPattern(pattern).matches(message) == expected)
    }

    @Test(
        "unsupported or broken patterns are refused, never trap",
        arguments: ["[ip, user]", "%ERR.*%", "{ $.a = }", "{ $. = 1 }", "\"open", "{ $.a = 1", "-", "{ ((((( }"]
    )
    func refused(pattern: String) {
        #expect(throws: FilterPattern.Invalid.self) { _ = try FilterPattern(pattern) }
    }
}

@Suite("CloudWatch Logs store")
struct LogGroupStoreTests {
    @Test("Lambda lines create /aws/lambda/{function} with one stream per environment; retention follows the virtual clock")
    func retention() throws {
        let clock = VirtualClock()
        let store = LogGroupStore(clock: clock)
        store.functionLine("START RequestId: 1 Version: $LATEST", function: "f", stream: "2026/01/01/[$LATEST]ab", timestamp: clock.now)
        store.functionLine("old", function: "f", stream: "2026/01/01/[$LATEST]cd", timestamp: clock.now)
        var group = try store.group("/aws/lambda/f")
        #expect(group.streams.count == 2)
        try store.setRetention("/aws/lambda/f", days: 1)
        clock.set(to: clock.now.addingTimeInterval(2 * 86_400))
        store.functionLine("new", function: "f", stream: "2026/01/03/[$LATEST]ef", timestamp: clock.now)
        group = try store.group("/aws/lambda/f")
        #expect(group.streams.values.flatMap(\.events).map(\.message) == ["new"])
        #expect(throws: LogStoreFailure.groupNotFound) { _ = try store.group("/aws/lambda/nope") }
    }

    @Test("tags: set at creation, merged and removed in place; a missing group is refused")
    func tags() throws {
        let store = LogGroupStore(clock: VirtualClock())
        try store.createGroup("g", retentionInDays: 7, tags: ["team": "notes"])
        try store.updateTags("g") { $0["stage"] = "dev" }
        #expect(try store.group("g").tags == ["team": "notes", "stage": "dev"])
        try store.updateTags("g") { $0["team"] = nil }
        #expect(try store.group("g").tags == ["stage": "dev"])
        #expect(throws: LogStoreFailure.groupExists) { try store.createGroup("g") }
        #expect(throws: LogStoreFailure.groupNotFound) { try store.updateTags("nope") { $0 = [:] } }
    }
}

@Suite("AWS::Logs::LogGroup provider")
struct LogGroupProviderTests {
    static let catalog = ResourceCatalog(providers: [LogGroupProvider()])
    static let configuration = StackConfiguration(stackName: "logs-stack", region: "us-east-1", accountId: "123456789012")

    @Test("LogGroupName, RetentionInDays and Tags from the template; a generated name without LogGroupName")
    func specs() throws {
        let template = try TemplateLoader.parse(
            """
            Resources:
              Named:
                Type: AWS::Logs::LogGroup
                Properties: {LogGroupName: /aws/lambda/x, RetentionInDays: 14, Tags: [{Key: team, Value: notes}]}
              Generated: {Type: AWS::Logs::LogGroup}
            """
        )
        let stack = try template.resolve(Self.configuration, catalog: Self.catalog)
        let groups = try stack.logGroups.sorted { $0.name < $1.name }
        #expect(groups.count == 2)
        #expect(groups.contains(LogGroupSpec(name: "/aws/lambda/x", retentionInDays: 14, tags: ["team": "notes"])))
        #expect(groups.contains { $0.name.hasPrefix("logs-stack-Generated-") && $0.retentionInDays == nil })
        #expect(stack.skipped.isEmpty)
        #expect(stack.resource("Named")?.attributes["Arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*")
    }

    @Test("a retention CloudWatch Logs does not accept fails the load")
    func badRetention() throws {
        let template = try TemplateLoader.parse("Resources:\n  Bad: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: 2}}\n")
        let error = #expect(throws: TemplateError.self) {
            let stack = try template.resolve(Self.configuration, catalog: Self.catalog)
            try Self.catalog.validateSpecs(of: stack)
        }
        #expect(error?.message.hasPrefix("RetentionInDays must be one of 1, 3, 5, 7, 14") == true)
    }
}
