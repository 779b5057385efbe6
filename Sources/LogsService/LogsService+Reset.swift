import EmulatorCore

extension LogsService: ResettableService {
    /// `logs`.
    package var resetName: String { "logs" }

    /// Drops every group, stream and event, then declares the template's groups again.
    package func resetToTemplate() async throws {
        store.removeAll()
        declareTemplateGroups()
    }
}
