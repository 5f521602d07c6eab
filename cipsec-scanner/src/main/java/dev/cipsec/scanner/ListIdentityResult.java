package dev.cipsec.scanner;

import dev.cipsec.wire.buf.Bytes;
import dev.cipsec.wire.buf.WireFormatException;
import dev.cipsec.wire.buf.WireReader;
import dev.cipsec.wire.cpf.CipIdentityItem;
import dev.cipsec.wire.cpf.CipSecurityItem;
import dev.cipsec.wire.cpf.CpfItem;
import dev.cipsec.wire.cpf.CpfPacket;
import dev.cipsec.wire.encap.EncapsulationPacket;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One ListIdentity reply. Replies that break the rules are reported, not dropped (integrators need
 * to see odd devices): {@link #nonConformities()} says what was wrong, e.g. the length field that
 * the OpENer CIP Security build gets 11 bytes short.
 *
 * @param source      the address the reply came from
 * @param identity    the CIP Identity item (0x000C), when present and well formed
 * @param security    the CIP Security Information item (0x0086), present on CIP Security devices
 * @param otherItems  any other items, kept as decoded
 */
public record ListIdentityResult(String source, Optional<CipIdentityItem> identity, Optional<CipSecurityItem> security,
                                 List<CpfItem> otherItems, List<String> nonConformities) {

    public ListIdentityResult {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(security, "security");
        otherItems = List.copyOf(otherItems);
        nonConformities = List.copyOf(nonConformities);
    }

    public boolean conforming() {
        return nonConformities.isEmpty();
    }

    /** True when the target advertises CIP Security (an item 0x0086). */
    public boolean cipSecurityCapable() {
        return security.isPresent();
    }

    static ListIdentityResult from(String source, EncapsulationPacket packet, boolean lengthMismatch, int declaredLength) {
        List<String> problems = new ArrayList<>();
        if (lengthMismatch) {
            problems.add("encapsulation length field says " + declaredLength + " bytes but " + packet.data().length()
                    + " followed");
        }
        if (packet.header().sessionHandle() != 0) {
            problems.add("ListIdentity reply carries session handle 0x" + Long.toHexString(packet.header().sessionHandle()));
        }
        CipIdentityItem identity = null;
        CipSecurityItem security = null;
        List<CpfItem> others = new ArrayList<>();
        List<CpfItem> items;
        try {
            items = CpfPacket.decode(WireReader.of(packet.data().toArray())).items();
        } catch (WireFormatException e) {
            problems.add("malformed item list: " + e.getMessage());
            items = salvage(packet.data(), problems);
        }
        for (CpfItem item : items) {
            if (item instanceof CipIdentityItem id && identity == null) {
                identity = id;
            } else if (item instanceof CipSecurityItem sec && security == null) {
                security = sec;
            } else {
                others.add(item);
            }
        }
        if (identity == null) {
            problems.add("no CIP Identity item (0x000C)");
        }
        return new ListIdentityResult(source, Optional.ofNullable(identity), Optional.ofNullable(security), others, problems);
    }

    /**
     * Keeps every whole item in front of the defect. Over TCP the OpENer CIP Security build's reply
     * announces two items but its length field only covers the identity item, which is still worth
     * showing.
     */
    private static List<CpfItem> salvage(Bytes data, List<String> problems) {
        List<CpfItem> items = new ArrayList<>();
        WireReader r = WireReader.of(data.toArray());
        try {
            int count = r.u16("CPF item count");
            for (int i = 0; i < count && r.remaining() >= 4; i++) {
                items.add(CpfItem.decode(r));
            }
            if (items.size() < count) {
                problems.add("item count says " + count + " but only " + items.size() + " fit in the reply");
            }
        } catch (WireFormatException e) {
            // keep what decoded before the defect
        }
        return items;
    }

    /**
     * How many items the item count promises beyond the whole items that fit exactly in
     * {@code data}; 0 when the list is complete or broken in any other way (a partial item).
     */
    static int missingItems(Bytes data) {
        WireReader r = WireReader.of(data.toArray());
        try {
            int count = r.u16("CPF item count");
            int whole = 0;
            while (whole < count && r.remaining() >= 4) {
                r.u16("item type");
                int length = r.u16("item length");
                r.skip(length, "item data");
                whole++;
            }
            return r.hasRemaining() ? 0 : count - whole;
        } catch (WireFormatException e) {
            return 0;
        }
    }
}
