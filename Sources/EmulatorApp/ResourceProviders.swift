import APIGatewayHTTP
import APIGatewayWebSocket
import CloudFormation
import CognitoService
import CognitoUserPoolsService
import DynamoDBService
import IAM
import LambdaService
import LogsService
import S3Service

extension ResourceCatalog {
    /// The emulator's resource providers, one per service folder: a new resource type adds one line here.
    ///
    /// The order is the order specs are decoded in when a template is loaded, so with several wrongly shaped
    /// resources the first error reported stays the same: functions, buckets, tables, WebSocket APIs, REST and HTTP
    /// APIs, user pools, identity pools, roles.
    package static let emulator = ResourceCatalog(providers: [
        LambdaResourceProvider(),
        S3BucketProvider(),
        DynamoDBTableProvider(),
        WebSocketApiProvider(),
        RestApiProvider(),
        UserPoolProvider(),
        IdentityPoolProvider(),
        IAMResourceProvider(),
        LogGroupProvider(),
    ])
}
