package dev.cipsec.adapter.interop;

import com.digitalpetri.enip.cip.CipResponseException;
import com.digitalpetri.enip.cip.epath.EPath.PaddedEPath;
import com.digitalpetri.enip.cip.services.CipService;
import com.digitalpetri.enip.cip.structs.MessageRouterRequest;
import com.digitalpetri.enip.cip.structs.MessageRouterResponse;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * Set_Attribute_Single (0x10) written against digitalpetri's service interface: cip-core 1.2.0
 * ships Get_Attribute_Single, Get/Set_Attributes_All and the list services, but no
 * Set_Attribute_Single. Encoding and decoding are still theirs ({@link MessageRouterRequest},
 * {@link MessageRouterResponse}).
 */
final class SetAttributeSingle implements CipService<Void> {
    static final int SERVICE_CODE = 0x10;

    private final PaddedEPath path;
    private final byte[] value;

    SetAttributeSingle(PaddedEPath path, byte[] value) {
        this.path = path;
        this.value = value.clone();
    }

    @Override
    public void encodeRequest(ByteBuf buffer) {
        MessageRouterRequest.encode(new MessageRouterRequest(SERVICE_CODE, path, b -> b.writeBytes(value)), buffer);
    }

    @Override
    public Void decodeResponse(ByteBuf buffer) throws CipResponseException {
        MessageRouterResponse r = MessageRouterResponse.decode(buffer);
        try {
            if (r.getGeneralStatus() != 0) {
                throw new CipResponseException(r.getGeneralStatus(), r.getAdditionalStatus());
            }
            return null;
        } finally {
            ReferenceCountUtil.release(r.getData());
        }
    }
}
