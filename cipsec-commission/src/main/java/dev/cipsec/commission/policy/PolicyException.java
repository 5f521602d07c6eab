package dev.cipsec.commission.policy;

import java.util.List;

/** The policy cannot be resolved because it has errors; {@link #problems()} lists them all. */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public PolicyException(List<Problem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    private static String summary(List<Problem> problems) {
        long errors = problems.stream().filter(Problem::isError).count();
        return errors == 0 ? "policy has no errors"
                : errors + " error" + (errors == 1 ? "" : "s") + " in the policy, first: "
                        + problems.stream().filter(Problem::isError).findFirst().orElseThrow();
    }
}
