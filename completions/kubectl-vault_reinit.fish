# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_reinit_global_optspecs
    string join \n kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_reinit_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_reinit_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_reinit_using_subcommand
    set -l cmd (__fish_kubectl_vault_reinit_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -f -a "assess" -d 'Pods, PVCs, Events, each pod\'s Vault state, snapshots, and the road back (the default)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -f -a "drill" -d 'Prove a snapshot restores with the keys you hold, on a one-pod scratch copy'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -f -a "restore" -d 'Bring the cluster back from a snapshot with the old cluster\'s keys (after a drill)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -f -a "init" -d 'Re-initialise the cluster: sys/init on the first pod, the new shares in safe custody, every pod unsealed and joined'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l snapshot -d 'A raft snapshot to check (size, age, readable header); repeat for several' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand assess" -s h -l help -d 'Print help'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l namespace-for-drill -d 'The drill\'s scratch namespace (made and deleted by the drill; it must not exist). Default: <namespace>-drill-<digits>' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l verify -d 'A KV secret that must be readable in the restored data (value never printed; needs a token of the snapshot\'s cluster)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l journal -d 'The journal of this run (JSON lines, 0600). Default: vault-reinit-<verb>-<time>.jsonl here' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l timeout -d 'How long to wait for each step (the scratch or fresh pods, the restore, healthy voters)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand drill" -s h -l help -d 'Print help'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l namespace-for-drill -d 'The drill\'s scratch namespace (made and deleted by the drill; it must not exist). Default: <namespace>-drill-<digits>' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l verify -d 'A KV secret that must be readable in the restored data (value never printed; needs a token of the snapshot\'s cluster)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l journal -d 'The journal of this run (JSON lines, 0600). Default: vault-reinit-<verb>-<time>.jsonl here' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l timeout -d 'How long to wait for each step (the scratch or fresh pods, the restore, healthy voters)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l wipe -d 'Delete the pods\' PVCs first (asks to type the namespace) and wait for fresh volumes'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l skip-drill -d 'Restore without a drill first (asks to type `skip-drill`)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand restore" -s h -l help -d 'Print help'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l key-shares -d 'How many key shares to make' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l key-threshold -d 'How many shares unseal' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l pgp-keys -d 'One PGP public key file per share (binary or ASCII-armoured), comma-separated: Vault encrypts each share to its holder, and the plugin never sees them in clear' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l output-file -d 'Write the new shares and root token to this new file (0600; an existing file is never overwritten). (`-o/--output` is the output format, as in every verb.)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l root-token-pgp-key -d 'A PGP public key to encrypt the initial root token to' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l setup -d 'Run this reconfiguration script after the pods are unsealed and joined, before the root token is revoked: it gets VAULT_ADDR (a local listener forwarded to the active pod), VAULT_CACERT, VAULT_TLS_SERVER_NAME and the root token in VAULT_TOKEN (its own environment only). With --pgp-keys, the run waits (--timeout) for the key holders to unseal the first pod. Not with --root-token-pgp-key' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l setup-timeout -d 'How long the --setup script may run before it is stopped' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l journal -d 'The journal of this run (JSON lines, 0600). Default: vault-reinit-<time>.jsonl here' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l timeout -d 'How long to wait for pods (fresh volumes, Ready, healthy voters)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l keep-root-token -d 'Keep the initial root token (default: revoke it at the end)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l wipe -d 'Delete the pods\' PVCs first (asks to type the namespace) and wait for fresh volumes'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand init" -s h -l help -d 'Print help'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand help; and not __fish_seen_subcommand_from assess drill restore init help" -f -a "assess" -d 'Pods, PVCs, Events, each pod\'s Vault state, snapshots, and the road back (the default)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand help; and not __fish_seen_subcommand_from assess drill restore init help" -f -a "drill" -d 'Prove a snapshot restores with the keys you hold, on a one-pod scratch copy'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand help; and not __fish_seen_subcommand_from assess drill restore init help" -f -a "restore" -d 'Bring the cluster back from a snapshot with the old cluster\'s keys (after a drill)'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand help; and not __fish_seen_subcommand_from assess drill restore init help" -f -a "init" -d 'Re-initialise the cluster: sys/init on the first pod, the new shares in safe custody, every pod unsealed and joined'
complete -c kubectl-vault_reinit -n "__fish_kubectl_vault_reinit_using_subcommand help; and not __fish_seen_subcommand_from assess drill restore init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
