package dev.cipsec.wire.cpf;

/** Construction-time check shared by the variable-length items. */
final class ItemLengths {
    private ItemLengths() {
    }

    /** Fails when {@code fixed + variable} bytes of data would not fit the item's UINT length field. */
    static void check(int fixed, int variable, String what) {
        if (variable > 0xFFFF - fixed) {
            throw new IllegalArgumentException(what + " longer than a CPF item can hold: " + (fixed + variable));
        }
    }
}
