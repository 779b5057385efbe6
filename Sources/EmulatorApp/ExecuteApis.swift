import APIGatewayHTTP
import CloudFormation

extension Stack {
    /// The ids of the REST APIs and HTTP APIs (every `AWS::ApiGatewayV2::Api` that is not a WebSocket API), whose
    /// `https://{id}.execute-api.REGION.amazonaws.com/...` URLs map to local execute-api URLs.
    package var executeApiIds: Set<String> {
        let rest = resources(ofType: RestApiProvider.restApiType).map(\.physicalId)
        let http = resources(ofType: HttpApiSpec.apiType)
            .filter { $0.properties["ProtocolType"]?.scalarText != "WEBSOCKET" }
            .map(\.physicalId)
        return Set(rest + http)
    }

    /// One row per REST or HTTP API stage for the startup table: kind, logical id and local URL.
    /// - Parameter urls: The local URL builder.
    /// - Returns: The rows.
    package func executeApiRows(urls: LocalURLs) -> [(kind: String, logicalId: String, url: String)] {
        var rows: [(kind: String, logicalId: String, url: String)] = []
        for api in (try? restApis) ?? [] {
            for stage in api.stages {
                rows.append(("REST API", api.logicalId, urls.executeApiURL(apiId: api.apiId, stage: stage.name)))
            }
        }
        for api in (try? httpApis) ?? [] {
            for stage in api.stages {
                rows.append(("HTTP API", api.logicalId, urls.executeApiURL(apiId: api.apiId, stage: stage.name)))
            }
        }
        return rows
    }
}
