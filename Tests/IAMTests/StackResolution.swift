import CloudFormation
import EmulatorApp

/// The template target resolves against the providers the composition root hands in; these tests use the emulator's.
extension Template {
    func resolve(_ configuration: StackConfiguration) throws(TemplateError) -> Stack {
        try resolve(configuration, catalog: .emulator)
    }
}
