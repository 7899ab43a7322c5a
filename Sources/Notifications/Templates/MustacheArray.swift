import Foundation
import HeraldJSON
import Mustache

/// A ``JSONValue`` array as swift-mustache sees it: a `MustacheSequence`, so a section renders
/// once per element (with `first()`, `index()` … available), `{{items}}` prints the array, and
/// array transforms (`count`, `first`, `reversed` …) apply. See ``MustacheObject`` for why.
struct MustacheArray: MustacheSequence, MustacheParent, MustacheCustomRenderable, MustacheTransformable {
    let elements: [JSONValue]

    func makeIterator() -> Iterator {
        Iterator(base: self.elements.makeIterator())
    }

    /// Yields each element as a context value; a null element is `NSNull`, as in `mustacheValue`.
    struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[JSONValue]>

        mutating func next() -> Any? {
            guard let element = self.base.next() else { return nil }
            return element.mustacheContext ?? NSNull()
        }
    }

    /// An array has no named members (`{{items.0}}` is missing, as for a Swift array). Without
    /// this conformance swift-mustache would reflect on this struct and find `elements`.
    func child(named name: String) -> Any? { nil }

    /// What swift-mustache prints for the `[Any]` form.
    var renderText: String {
        String(describing: JSONValue.array(self.elements).mustacheValue ?? [Any]())
    }

    /// Not consulted in sections (a sequence is checked first); an array is never null.
    var isNull: Bool { false }

    /// The array transforms on the `[Any]` form.
    func transform(_ name: String) -> Any? {
        (JSONValue.array(self.elements).mustacheValue as? [Any])?.transform(name)
    }
}
