import Testing

@testable import APIGatewayWebSocket

@Test func placeholder() {}
