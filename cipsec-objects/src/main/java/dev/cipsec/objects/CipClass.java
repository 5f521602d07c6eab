package dev.cipsec.objects;

import dev.cipsec.wire.cip.ServiceCodes;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

import static dev.cipsec.objects.CipDataTypes.UINT;

/**
 * A CIP object class: its attribute tables, its instances keyed by id (instance 0 being the class
 * itself) and its services at class and instance level. Built declaratively:
 *
 * <pre>{@code
 * CipClass<MyState> c = CipClass.<MyState>builder(0x64, "My Object").revision(1)
 *         .attribute(Attribute.get(1, "Value", UINT, MyState::value).inGetAll())
 *         .instance(1, new MyState())
 *         .build();
 * }</pre>
 *
 * <p>Every class has the standard class attributes 1 revision, 2 max instance, 3 number of
 * instances, 6 max class attribute id and 7 max instance attribute id (Get_Attributes_All also
 * carries empty placeholders for the optional lists 4 and 5, like OpENer), and the common services
 * Get_Attributes_All, Get_Attribute_Single, Set_Attribute_Single, Get_Attribute_List and
 * Set_Attribute_List at both levels (a builder may leave some out). Services and instances can be
 * added at runtime: the adapter registers Forward_Open on the Connection Manager this way.
 *
 * @param <S> the instance state type
 */
public final class CipClass<S> {
    /** Services every class answers unless its builder leaves them out. */
    public static final List<Integer> COMMON_SERVICES = List.of(ServiceCodes.GET_ATTRIBUTES_ALL,
            ServiceCodes.GET_ATTRIBUTE_LIST, ServiceCodes.SET_ATTRIBUTE_LIST, ServiceCodes.GET_ATTRIBUTE_SINGLE,
            ServiceCodes.SET_ATTRIBUTE_SINGLE);

    private final int classId;
    private final String name;
    private final int revision;
    private final NavigableMap<Integer, Attribute<S, ?>> instanceAttributes;
    private final CipInstance<CipClass<S>> classInstance;
    private final ConcurrentSkipListMap<Long, CipInstance<S>> instances = new ConcurrentSkipListMap<>();
    private final Map<Integer, Service> classServices = new ConcurrentHashMap<>();
    private final Map<Integer, Service> instanceServices = new ConcurrentHashMap<>();

    private CipClass(Builder<S> b) {
        this.classId = b.classId;
        this.name = b.name;
        this.revision = b.revision;
        this.instanceAttributes = new TreeMap<>(b.instanceAttributes);
        NavigableMap<Integer, Attribute<CipClass<S>, ?>> classAttrs = new TreeMap<>();
        for (Attribute<CipClass<S>, ?> a : CipClass.<S>standardClassAttributes()) {
            classAttrs.put(a.id(), a);
        }
        classAttrs.putAll(b.classAttributes);
        this.classInstance = new CipInstance<>(this, 0, this, classAttrs);
        for (int code : COMMON_SERVICES) {
            if (!b.omittedClassServices.contains(code)) {
                classServices.put(code, CommonServices.forCode(code));
            }
            if (!b.omittedInstanceServices.contains(code)) {
                instanceServices.put(code, CommonServices.forCode(code));
            }
        }
        classServices.putAll(b.classServices);
        instanceServices.putAll(b.instanceServices);
        b.instances.forEach(this::addInstance);
    }

    private static <S> List<Attribute<CipClass<S>, ?>> standardClassAttributes() {
        return List.of(
                Attribute.<CipClass<S>, Integer>get(1, "Revision", UINT, CipClass::revision).inGetAll(),
                Attribute.<CipClass<S>, Integer>get(2, "Max Instance", UINT, c -> (int) Math.min(0xFFFF, c.maxInstance())).inGetAll(),
                Attribute.<CipClass<S>, Integer>get(3, "Number of Instances", UINT, c -> Math.min(0xFFFF, c.numberOfInstances())).inGetAll(),
                Attribute.<CipClass<S>, Integer>getAllFiller(4, "Optional Attribute List", UINT, 0),
                Attribute.<CipClass<S>, Integer>getAllFiller(5, "Optional Service List", UINT, 0),
                Attribute.<CipClass<S>, Integer>get(6, "Max Class Attribute ID", UINT, c -> c.classInstance.maxAttributeId()).inGetAll(),
                Attribute.<CipClass<S>, Integer>get(7, "Max Instance Attribute ID", UINT, CipClass::maxInstanceAttributeId).inGetAll());
    }

    public static <S> Builder<S> builder(int classId, String name) {
        return new Builder<>(classId, name);
    }

    public int classId() {
        return classId;
    }

    public String name() {
        return name;
    }

    public int revision() {
        return revision;
    }

    /** Highest instance id, 0 when there is none. */
    public long maxInstance() {
        return instances.isEmpty() ? 0 : instances.lastKey();
    }

    public int numberOfInstances() {
        return instances.size();
    }

    public int maxInstanceAttributeId() {
        return instanceAttributes.isEmpty() ? 0 : instanceAttributes.lastKey();
    }

    /** The class instance (instance 0). */
    public CipInstance<CipClass<S>> classInstance() {
        return classInstance;
    }

    /** Instance {@code id} (0 is the class instance), or null. */
    public CipInstance<?> instance(long id) {
        return id == 0 ? classInstance : instances.get(id);
    }

    /** Instance {@code id} (at least 1) with its state type, or null. */
    public CipInstance<S> typedInstance(long id) {
        return instances.get(id);
    }

    public Collection<CipInstance<S>> instances() {
        return instances.values();
    }

    /** Adds an instance (e.g. from a Create service); fails if the id is taken. */
    public CipInstance<S> addInstance(long id, S state) {
        if (id < 1 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("instance id must be 1..0xFFFFFFFF: " + id);
        }
        CipInstance<S> inst = new CipInstance<>(this, id, state, instanceAttributes);
        if (instances.putIfAbsent(id, inst) != null) {
            throw new IllegalStateException(this + " already has instance " + id);
        }
        return inst;
    }

    public boolean removeInstance(long id) {
        return instances.remove(id) != null;
    }

    /** Registers (or replaces) a service answered by the class instance. */
    public void registerClassService(int serviceCode, Service service) {
        classServices.put(checkCode(serviceCode), Objects.requireNonNull(service, "service"));
    }

    /** Registers (or replaces) a service answered by every instance. */
    public void registerInstanceService(int serviceCode, Service service) {
        instanceServices.put(checkCode(serviceCode), Objects.requireNonNull(service, "service"));
    }

    /** The service for {@code serviceCode} at the level of {@code instanceId}, or null. */
    public Service service(long instanceId, int serviceCode) {
        return (instanceId == 0 ? classServices : instanceServices).get(serviceCode);
    }

    private static int checkCode(int code) {
        if (code < 0 || code > 0x7F) {
            throw new IllegalArgumentException("service code must be 0..0x7F: " + code);
        }
        return code;
    }

    @Override
    public String toString() {
        return String.format("%s (0x%02X)", name, classId);
    }

    /** Declares a class; see {@link CipClass}. */
    public static final class Builder<S> {
        private final int classId;
        private final String name;
        private int revision = 1;
        private final Map<Integer, Attribute<S, ?>> instanceAttributes = new LinkedHashMap<>();
        private final Map<Integer, Attribute<CipClass<S>, ?>> classAttributes = new LinkedHashMap<>();
        private final Map<Integer, Service> classServices = new LinkedHashMap<>();
        private final Map<Integer, Service> instanceServices = new LinkedHashMap<>();
        private final List<Integer> omittedClassServices = new ArrayList<>();
        private final List<Integer> omittedInstanceServices = new ArrayList<>();
        private final Map<Long, S> instances = new LinkedHashMap<>();

        private Builder(int classId, String name) {
            if (classId < 1 || classId > 0xFFFF) {
                throw new IllegalArgumentException("class id must be 1..0xFFFF: " + classId);
            }
            this.classId = classId;
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder<S> revision(int revision) {
            if (revision < 1 || revision > 0xFFFF) {
                throw new IllegalArgumentException("revision must be 1..0xFFFF: " + revision);
            }
            this.revision = revision;
            return this;
        }

        /** Adds instance attributes (one table shared by all instances). */
        @SafeVarargs
        public final Builder<S> attributes(Attribute<S, ?>... attributes) {
            for (Attribute<S, ?> a : attributes) {
                if (instanceAttributes.putIfAbsent(a.id(), a) != null) {
                    throw new IllegalArgumentException(name + ": duplicate instance attribute " + a.id());
                }
            }
            return this;
        }

        /** Adds a class attribute beyond the standard ones (or replaces one of them). */
        public Builder<S> classAttribute(Attribute<CipClass<S>, ?> attribute) {
            if (classAttributes.putIfAbsent(attribute.id(), attribute) != null) {
                throw new IllegalArgumentException(name + ": duplicate class attribute " + attribute.id());
            }
            return this;
        }

        public Builder<S> classService(int code, Service service) {
            classServices.put(checkCode(code), Objects.requireNonNull(service, "service"));
            return this;
        }

        public Builder<S> instanceService(int code, Service service) {
            instanceServices.put(checkCode(code), Objects.requireNonNull(service, "service"));
            return this;
        }

        /** Leaves a common service out at instance level (the request then gets 0x08). */
        public Builder<S> withoutInstanceService(int code) {
            omittedInstanceServices.add(code);
            return this;
        }

        /** Leaves a common service out at class level. */
        public Builder<S> withoutClassService(int code) {
            omittedClassServices.add(code);
            return this;
        }

        public Builder<S> instance(long id, S state) {
            if (instances.putIfAbsent(id, Objects.requireNonNull(state, "state")) != null) {
                throw new IllegalArgumentException(name + ": duplicate instance " + id);
            }
            return this;
        }

        public CipClass<S> build() {
            return new CipClass<>(this);
        }
    }
}
