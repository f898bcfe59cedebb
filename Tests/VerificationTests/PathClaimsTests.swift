import Testing

@testable import Verification

/// The compact claims table answers exactly as a table of strings would.
@Suite struct PathClaimsTests {
    @Test func claimsByOneAndByManyDistributions() {
        var claims = PathClaims()
        claims.claim("/site/pkg/a.py", by: "/site/a-1.dist-info")
        claims.claim("/site/ns/__init__.py", by: "/site/a-1.dist-info")
        claims.claim("/site/ns/__init__.py", by: "/site/b-1.dist-info")
        claims.claim("/site/pkg/a.py", by: "/site/a-1.dist-info")  // the same claimant twice
        #expect(!claims.isClaimed("/site/pkg/a.py", byOtherThan: "/site/a-1.dist-info"))
        #expect(claims.isClaimed("/site/pkg/a.py", byOtherThan: "/site/b-1.dist-info"))
        #expect(claims.isClaimed("/site/ns/__init__.py", byOtherThan: "/site/a-1.dist-info"))
        #expect(claims.isClaimed("/site/ns/__init__.py", byOtherThan: "/site/b-1.dist-info"))
        #expect(!claims.isClaimed("/site/pkg/b.py", byOtherThan: "/site/a-1.dist-info"))
        #expect(!claims.isClaimed("/site/pkg/a.pyc", byOtherThan: "/site/b-1.dist-info"))
        #expect(!PathClaims().isClaimed("/site/pkg/a.py", byOtherThan: "/x"))
    }
}
