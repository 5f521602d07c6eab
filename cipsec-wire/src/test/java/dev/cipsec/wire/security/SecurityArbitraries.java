package dev.cipsec.wire.security;

import dev.cipsec.wire.epath.EPath;
import dev.cipsec.wire.epath.EPathArbitraries;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.OptionalInt;

/** jqwik generators for the security attribute values; public for the object tests downstream. */
public final class SecurityArbitraries {
    private SecurityArbitraries() {
    }

    public static Arbitrary<CipherSuiteList> cipherSuites() {
        return Arbitraries.integers().between(0, 0xFFFF).list().ofMaxSize(40).map(CipherSuiteList::new);
    }

    public static Arbitrary<PskEntry> pskEntries(boolean withUsage) {
        Arbitrary<OptionalInt> usage = withUsage
                ? Arbitraries.integers().between(0, 2).map(OptionalInt::of)
                : Arbitraries.just(OptionalInt.empty());
        return Combinators.combine(EPathArbitraries.bytes(0, PskEntry.MAX_IDENTITY),
                EPathArbitraries.bytes(0, PskEntry.MAX_KEY), usage).as(PskEntry::new);
    }

    public static Arbitrary<PskList> pskLists() {
        return Arbitraries.of(true, false).flatMap(u -> pskEntries(u).list().ofMaxSize(4)).map(PskList::new);
    }

    /** Paths that fit a USINT word count. */
    public static Arbitrary<EPath> shortPaths() {
        return EPathArbitraries.paths().filter(p -> p.words() <= EPath.MAX_WORDS);
    }

    public static Arbitrary<EPathList> epathLists() {
        return shortPaths().list().ofMaxSize(5).map(EPathList::new);
    }

    public static Arbitrary<ApplyConfigRequest> applyConfigs() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xFFFF);
        return Combinators.combine(u16, u16).as(ApplyConfigRequest::new);
    }

    public static Arbitrary<String> shortStrings(int maxLength) {
        return Arbitraries.strings().withCharRange('\u0000', '\u00FF').ofMaxLength(maxLength);
    }

    public static Arbitrary<CsrRequest> csrRequests() {
        return shortStrings(40).list().ofSize(CsrRequest.MAX_FIELDS).map(f -> new CsrRequest(f.get(0), f.get(1), f.get(2),
                f.get(3), f.get(4), f.get(5), f.get(6), f.get(7), f.get(8)));
    }

    public static Arbitrary<CertificateReference> certificateReferences() {
        return Combinators.combine(Arbitraries.integers().between(0, 0xFF), shortPaths()).as(CertificateReference::new);
    }

    public static Arbitrary<CertificateList> certificateLists() {
        return Combinators.combine(shortStrings(40), shortPaths()).as(CertificateList.Entry::new).list().ofMaxSize(4)
                .map(CertificateList::new);
    }
}
