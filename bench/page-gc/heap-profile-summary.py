# Sums a .heapprofile (scripts/bench-browser.sh with FERRY_BENCH_HEAP_PROFILE=FILE) by source line of the web app,
# through the source maps in src/Ferry.Server/wwwroot/app. Usage: python3 bench/page-gc/heap-profile-summary.py FILE
import json,bisect,collections,os,sys
B64={c:i for i,c in enumerate('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')}
def vlq(seg):
    out=[];v=0;sh=0
    for ch in seg:
        d=B64[ch]; v+=(d&31)<<sh
        if d&32: sh+=5
        else:
            out.append(-(v>>1) if v&1 else v>>1); v=0; sh=0
    return out
def load(path):
    m=json.load(open(path)); lines=[]
    src=0;sl=0;sc=0;nm=0
    for gl in m['mappings'].split(';'):
        col=0; segs=[]
        for seg in gl.split(','):
            if not seg: continue
            f=vlq(seg); col+=f[0]
            if len(f)>=4:
                src+=f[1]; sl+=f[2]; sc+=f[3]
                if len(f)>=5: nm+=f[4]
                segs.append((col,src,sl,sc))
        lines.append(segs)
    return m,lines
maps={}
def resolve(url,line,col):
    name=url.split('/')[-1]
    if not name.endswith('.js'): return None
    if name not in maps:
        try: maps[name]=load(os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../src/Ferry.Server/wwwroot/app/')+name+'.map')
        except Exception: maps[name]=None
    if maps[name] is None: return None
    m,lines=maps[name]
    if line>=len(lines): return None
    segs=lines[line]
    i=bisect.bisect_right([s[0] for s in segs],col)-1
    if i<0: return None
    _,src,sl,sc=segs[i]
    return f"{m['sources'][src].split('/')[-1]}:{sl+1}"
p=json.load(open(sys.argv[1]))
agg=collections.Counter(); st=collections.Counter()
def walk(n,stack):
    cf=n['callFrame']
    r=resolve(cf['url'],cf['lineNumber'],cf['columnNumber']) or f"{cf['functionName']}{cf['url'].split('/')[-1]}"
    s=stack+[r]
    if n['selfSize']:
        agg[r]+=n['selfSize']; st[' < '.join(reversed(s[-3:]))]+=n['selfSize']
    for c in n.get('children',[]): walk(c,s)
walk(p['head'],[])
for k,v in agg.most_common(20): print(f"{v/1048576:7.2f} MiB {k}")
print()
for k,v in st.most_common(20): print(f"{v/1048576:7.2f} MiB {k}")
