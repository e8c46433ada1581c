# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubectl_vault_certs_global_optspecs
    string join \n server-name= warn= critical= kubeconfig= context= cluster= user= as= as-group= as-uid= server= certificate-authority= insecure-skip-tls-verify n/namespace= l/selector= statefulset= request-timeout= ca-cert= tls-server-name= tls-skip-verify vault-addr= vault-port= vault-timeout= token-file= o/output= no-color v/verbose h/help V/version
end

function __fish_kubectl_vault_certs_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubectl_vault_certs_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubectl_vault_certs_using_subcommand
    set -l cmd (__fish_kubectl_vault_certs_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l server-name -d 'The TLS server name (SNI) to ask for (default: the Service name `<release>.<ns>.svc`)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l warn -d 'A certificate (or CA) expiring within this needs attention' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l critical -d 'A certificate (or CA) expiring within this is critical' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -s V -l version -d 'Print version'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "status" -d 'The certificate each pod serves, with findings (the default)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "renew" -d 'Issue a new server certificate from Vault\'s PKI engine (or a CA key pair in a Secret) into the TLS Secret, or have cert-manager reissue it when a Certificate owns the Secret; then reload every pod (SIGHUP; standbys first, the active node last) and check it serves it'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "issue-client" -d 'Issue a client certificate from Vault\'s PKI engine into a kubernetes.io/tls Secret (with ca.crt) in the application\'s namespace; the key is never printed'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "clients" -d 'Client certificates: TLS Secrets Vault\'s CA issued in the given namespaces and the certificates the cert auth method trusts, with expiry; the PKI engine\'s issued list'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l server-name -d 'The TLS server name (SNI) to ask for (default: the Service name `<release>.<ns>.svc`)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l warn -d 'A certificate (or CA) expiring within this needs attention' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l critical -d 'A certificate (or CA) expiring within this is critical' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand status" -s h -l help -d 'Print help'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l pki-mount -d 'The mount of Vault\'s PKI engine' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l role -d 'The PKI role to issue the certificate from. (Not needed when a cert-manager Certificate owns the Secret: cert-manager reissues.)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l ca-secret -d 'Sign the certificate here with the CA key pair in this Secret (tls.crt and tls.key, as cert-manager\'s CA issuer keeps it, or ca.crt and ca.key; an unencrypted PKCS#8 key) instead of Vault\'s PKI engine. Needs no Vault token' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l ttl -d 'The new certificate\'s lifetime, as Vault takes it (with --ca-secret: a number with a unit, s, m, h or d)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l secret -d 'The TLS Secret (default: the one the pods mount where VAULT_CACERT points)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l server-name -d 'The TLS server name (SNI) for the checks (default: `<release>.<ns>.svc`)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l timeout -d 'How long each step may take: cert-manager to issue, each pod\'s volume to show the Secret, a restart' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l keys-file -d 'File with the keys: the JSON `vault operator init -format=json` writes, or one key per line (base64 or hex). `-` reads stdin' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l keys-secret -d 'A Kubernetes Secret holding the keys: NAME or NAME/KEY' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l restart -d 'Restart and unseal the pods one at a time instead of sending SIGHUP'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l rollback -d 'Put back the Secret the last renew saved (`<secret>-backup`) and reload the pods'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand renew" -s h -l help -d 'Print help'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l secret -d 'The Secret to write (type kubernetes.io/tls)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l secret-namespace -d 'The namespace of the Secret (default: the Vault pods\' namespace, -n)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l pki-mount -d 'The mount of Vault\'s PKI engine' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l role -d 'The PKI role to issue from' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l ttl -d 'The certificate\'s lifetime, as Vault takes it' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s y -l yes -d 'Do not ask for confirmation'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l dry-run -d 'Print the plan and change nothing'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand issue-client" -s h -l help -d 'Print help'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l secret-namespace -d 'Namespaces whose TLS Secrets to check (repeatable; default: the Vault pods\' namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l pki-mount -d 'The mount of Vault\'s PKI engine (its CA tells Vault\'s certificates from others)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l cert-mount -d 'The mount of the cert auth method (under auth/)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l warn -d 'A certificate expiring within this needs attention' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l critical -d 'A certificate expiring within this is critical' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l context -d 'The kubeconfig context to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l cluster -d 'The kubeconfig cluster to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l user -d 'The kubeconfig user to use' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l as -d 'Username to impersonate for the operation (a user or a service account: system:serviceaccount:NS:NAME)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l as-group -d 'Group to impersonate for the operation (repeat for several)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l as-uid -d 'UID to impersonate for the operation' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l server -d 'The address and port of the Kubernetes API server (overrides the kubeconfig\'s)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l certificate-authority -d 'Path to a CA certificate file (PEM) for the Kubernetes API server' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -s n -l namespace -d 'Namespace of the Vault pods (default: the context\'s namespace)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -s l -l selector -d 'Label selector for the Vault pods' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l statefulset -d 'Only the pods of this StatefulSet (matched by owner)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l request-timeout -d 'Timeout of each Kubernetes API request (1s, 2m, …; 0 = none)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l ca-cert -d 'CA certificate (PEM) to verify Vault\'s TLS certificate (default: discovered from the pod\'s VAULT_CACERT and the Secret mounted there)' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l tls-server-name -d 'Server name to verify Vault\'s certificate against (default: the host in the pod\'s VAULT_ADDR)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l vault-addr -d 'Talk to this Vault address directly instead of port-forwarding to each pod' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l vault-port -d 'Vault\'s API port in the pods (default: from VAULT_ADDR in the pod spec, else 8200)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l vault-timeout -d 'Timeout of each Vault API request' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l token-file -d 'File holding a Vault token (`-` for stdin). Default: VAULT_TOKEN, then ~/.vault-token' -r -F
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -s o -l output -d 'Output format: json|yaml (default: a table)' -r
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l insecure-skip-tls-verify -d 'Do not check the Kubernetes API server\'s certificate (its connection becomes insecure)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l tls-skip-verify -d 'Do not verify Vault\'s TLS certificate. Never the default; prints a warning'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -l no-color -d 'Never colour the output (NO_COLOR is honoured too)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -s v -l verbose -d 'More detail on stderr (-v, -vv)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand clients" -s h -l help -d 'Print help'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status renew issue-client clients help" -f -a "status" -d 'The certificate each pod serves, with findings (the default)'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status renew issue-client clients help" -f -a "renew" -d 'Issue a new server certificate from Vault\'s PKI engine (or a CA key pair in a Secret) into the TLS Secret, or have cert-manager reissue it when a Certificate owns the Secret; then reload every pod (SIGHUP; standbys first, the active node last) and check it serves it'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status renew issue-client clients help" -f -a "issue-client" -d 'Issue a client certificate from Vault\'s PKI engine into a kubernetes.io/tls Secret (with ca.crt) in the application\'s namespace; the key is never printed'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status renew issue-client clients help" -f -a "clients" -d 'Client certificates: TLS Secrets Vault\'s CA issued in the given namespaces and the certificates the cert auth method trusts, with expiry; the PKI engine\'s issued list'
complete -c kubectl-vault_certs -n "__fish_kubectl_vault_certs_using_subcommand help; and not __fish_seen_subcommand_from status renew issue-client clients help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
